/**
 * Avatars of the other people who have this workflow open, live from `workflowPresence`, which
 * names them (email and role) for every role, so nobody needs the admin-only `users` list.
 */
import { useEffect, useState } from 'react';
import { useClient } from 'urql';
import { WORKFLOW_PRESENCE } from '../api/people';
import { useSession } from '../auth/AuthGate';
import { avatarColor, initials, presentPeople, type PresentUser } from '../users/actors';

interface PresenceMessage {
  actors: string[];
  users?: PresentUser[];
}

export function Presence({ workflowId }: { workflowId: string }) {
  const client = useClient();
  const { user } = useSession();
  const [presence, setPresence] = useState<PresenceMessage>({ actors: [], users: [] });

  // While subscribed, this user counts as present too; every message is the whole list.
  useEffect(() => {
    const subscription = client.subscription(WORKFLOW_PRESENCE, { workflowId }).subscribe((result) => {
      const message = (result.data as { workflowPresence?: PresenceMessage } | undefined)?.workflowPresence;
      if (message) setPresence(message);
    });
    return () => subscription.unsubscribe();
  }, [client, workflowId]);

  const shown = presentPeople(presence.actors, presence.users ?? [], user?.id ?? null);
  if (shown.length === 0) return null;
  return (
    <div className="presence" role="group" aria-label={`Also here: ${shown.map((p) => p.label).join(', ')}`} data-testid="presence">
      {shown.map((person) => (
        <span
          key={person.actor}
          className="avatar"
          style={{ background: avatarColor(person.actor) }}
          title={`${person.label}${person.role ? ` (${person.role})` : ''} has this workflow open`}
          data-testid="presence-avatar"
          data-actor={person.actor}
        >
          {initials(person.label)}
        </span>
      ))}
    </div>
  );
}
