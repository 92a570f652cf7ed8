import { describe, expect, it } from 'vitest';
import { settingsProblem } from './WorkflowSettingsDialog';

describe('workflow settings form', () => {
  it('accepts empty and valid values', () => {
    expect(settingsProblem('', '{}', '')).toBeNull();
    expect(settingsProblem('30', '{"region": "eu"}', 'Europe/Berlin')).toBeNull();
  });

  it('names each problem', () => {
    expect(settingsProblem('1.5', '{}', '')).toMatch(/whole number of seconds/);
    expect(settingsProblem('', '[1]', '')).toMatch(/JSON object/);
    expect(settingsProblem('', '{"a": ', '')).toMatch(/not valid JSON/);
    expect(settingsProblem('', '{}', 'Mars Time!')).toMatch(/not an IANA timezone/);
  });
});
