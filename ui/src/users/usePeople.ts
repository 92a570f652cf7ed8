/** Who the UI can name: the signed-in user, and every user for owners and admins. */
import { useMemo } from 'react';
import { useQuery } from 'urql';
import { USERS, type UserRow } from '../api/people';
import { canAdminister } from '../api/session';
import { useSession } from '../auth/AuthGate';
import type { Person } from './actors';

/** People by user id (only the signed-in user for editors and viewers, who may not list users). */
export function usePeople(): ReadonlyMap<string, Person> {
  const { user } = useSession();
  const admin = canAdminister(user?.role ?? null);
  const [result] = useQuery<{ users: UserRow[] }>({ query: USERS, pause: !admin, requestPolicy: 'cache-first' });
  const users = result.data?.users;
  return useMemo(() => {
    const people = new Map<string, Person>();
    for (const row of users ?? []) people.set(row.id, { id: row.id, email: row.email });
    if (user) people.set(user.id, { id: user.id, email: user.email });
    return people;
  }, [users, user]);
}
