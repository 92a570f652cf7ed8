import { describe, expect, it } from 'vitest';
import { actorLabel, avatarColor, initials, personOf, presentPeople, roleName, userIdOf } from './actors';

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

  it('lists each other person once, named by the users the server resolved', () => {
    const users = [
      { id: 'a', email: 'ada.lovelace@example.com', role: 'OWNER' },
      { id: 'b', email: 'me@example.com', role: 'EDITOR' },
      { id: 'c', email: 'grace@example.com', role: 'VIEWER' },
    ];
    const actors = ['apikey:k1:c', 'system:scheduler', 'user:a', 'user:b', 'user:c', 'user:gone'];
    expect(presentPeople(actors, users, 'b')).toEqual([
      { actor: 'user:c', label: 'grace@example.com', role: 'Viewer' },
      { actor: 'system:scheduler', label: 'system: scheduler', role: null },
      { actor: 'user:a', label: 'ada.lovelace@example.com', role: 'Owner' },
      { actor: 'user:gone', label: 'user:gone', role: null },
    ]);
    expect(presentPeople(['apikey:k2:b', 'user:b'], users, 'b')).toEqual([]);
    expect(presentPeople(['user:a'], [], null)).toEqual([{ actor: 'user:a', label: 'user:a', role: null }]);
  });

  it('finds the person behind an actor', () => {
    expect(personOf('user:u1')).toBe('u1');
    expect(personOf('apikey:k1:u1')).toBe('u1');
    expect(personOf('apikey:broken')).toBeNull();
    expect(personOf('system:scheduler')).toBeNull();
    expect(roleName('ADMIN')).toBe('Admin');
  });

  it('gives an actor the same colour every time', () => {
    expect(avatarColor('user:a')).toBe(avatarColor('user:a'));
    expect(avatarColor('user:a')).toMatch(/^hsl\(\d+ 55% 42%\)$/);
  });
});
