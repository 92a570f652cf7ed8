/** People as the UI names them: actors (`user:ID`, `system:NAME`) to labels, and initials. */

/** Someone the UI can name. */
export interface Person {
  id: string;
  email: string;
}

/** The user id of a `user:ID` actor, or null for other actors. */
export function userIdOf(actor: string): string | null {
  return actor.startsWith('user:') ? actor.slice('user:'.length) : null;
}

/**
 * A readable name for an actor: the user's email when known (the signed-in user, or everyone
 * for owners and admins, who may list users), `system: NAME` for the system, else the actor.
 */
export function actorLabel(actor: string, people: ReadonlyMap<string, Person>): string {
  const id = userIdOf(actor);
  if (id !== null) return people.get(id)?.email ?? actor;
  if (actor.startsWith('system:')) return `system: ${actor.slice('system:'.length)}`;
  return actor;
}

/** Up to two letters for an avatar: `ada.lovelace@x` → `AL`, `grace@x` → `GR`, `user:7f…` → `7F`. */
export function initials(label: string): string {
  const local = label.includes('@') ? label.slice(0, label.indexOf('@')) : label.replace(/^(user|system):\s*/, '');
  const words = local.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  if (words.length >= 2) return (words[0][0] + words[1][0]).toUpperCase();
  return (words[0] ?? '?').slice(0, 2).toUpperCase();
}

/** A user as `workflowPresence` names them. */
export interface PresentUser {
  id: string;
  email: string;
  /** `OWNER`, `ADMIN`, `EDITOR` or `VIEWER`. */
  role: string;
}

/** One avatar: a person (by `user:ID`, however many ways they are present) or another actor. */
export interface PresentPerson {
  /** `user:ID` for people (also when present only through an API key), else the actor. */
  actor: string;
  label: string;
  /** The role's readable name, when the server named the user. */
  role: string | null;
}

/** The user id behind an actor: `user:ID`, or the owner of an `apikey:KEY:USER`. */
export function personOf(actor: string): string | null {
  const user = userIdOf(actor);
  if (user !== null) return user;
  if (!actor.startsWith('apikey:')) return null;
  const owner = actor.slice(actor.lastIndexOf(':') + 1);
  return actor.split(':').length >= 3 && owner ? owner : null;
}

/** `EDITOR` → `Editor`. */
export function roleName(role: string): string {
  return role.charAt(0).toUpperCase() + role.slice(1).toLowerCase();
}

/**
 * Who else is here, in the order of `actors`: each person once (in person or through an API
 * key), named by the `users` the server resolved, never the signed-in user.
 */
export function presentPeople(actors: readonly string[], users: readonly PresentUser[], myId: string | null): PresentPerson[] {
  const byId = new Map(users.map((user) => [user.id, user]));
  const seen = new Set<string>();
  const shown: PresentPerson[] = [];
  for (const actor of actors) {
    const id = personOf(actor);
    if (id !== null && id === myId) continue;
    const key = id === null ? actor : `user:${id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const user = id === null ? undefined : byId.get(id);
    shown.push({
      actor: key,
      label: user?.email ?? actorLabel(key, new Map()),
      role: user ? roleName(user.role) : null,
    });
  }
  return shown;
}

/** A stable avatar colour for an actor (one of a few readable hues). */
export function avatarColor(actor: string): string {
  let hash = 0;
  for (const char of actor) hash = (hash * 31 + char.codePointAt(0)!) >>> 0;
  return `hsl(${hash % 360} 55% 42%)`;
}
