import { describe, expect, it } from 'vitest';
import { actorLabel, avatarColor, initials, others, userIdOf } from './actors';

const people = new Map([['u1', { id: 'u1', email: 'ada.lovelace@example.com' }]]);

describe('actors', () => {
  it('names known users by email and others by their actor', () => {
    expect(userIdOf('user:u1')).toBe('u1');
    expect(userIdOf('system:scheduler')).toBeNull();
    expect(actorLabel('user:u1', people)).toBe('ada.lovelace@example.com');
    expect(actorLabel('user:u2', people)).toBe('user:u2');
    expect(actorLabel('system:scheduler', people)).toBe('system: scheduler');
    expect(actorLabel('anonymous', people)).toBe('anonymous');
  });

  it('makes two-letter initials', () => {
    expect(initials('ada.lovelace@example.com')).toBe('AL');
    expect(initials('grace@example.com')).toBe('GR');
    expect(initials('user:7f3a')).toBe('7F');
    expect(initials('')).toBe('?');
  });

  it('lists everyone but the signed-in user', () => {
    expect(others(['user:a', 'user:b', 'user:c'], 'b')).toEqual(['user:a', 'user:c']);
    expect(others(['user:a'], null)).toEqual(['user:a']);
  });

  it('gives an actor the same colour every time', () => {
    expect(avatarColor('user:a')).toBe(avatarColor('user:a'));
    expect(avatarColor('user:a')).toMatch(/^hsl\(\d+ 55% 42%\)$/);
  });
});
