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

/** The actors other than the signed-in user, in the order given. */
export function others(actors: readonly string[], myId: string | null): string[] {
  return actors.filter((actor) => myId === null || actor !== `user:${myId}`);
}

/** A stable avatar colour for an actor (one of a few readable hues). */
export function avatarColor(actor: string): string {
  let hash = 0;
  for (const char of actor) hash = (hash * 31 + char.codePointAt(0)!) >>> 0;
  return `hsl(${hash % 360} 55% 42%)`;
}
