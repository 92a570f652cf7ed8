/** Avatars of the other people who have this workflow open, live from `workflowPresence`. */
import { useEffect, useState } from 'react';
import { useClient } from 'urql';
import { WORKFLOW_PRESENCE } from '../api/people';
import { useSession } from '../auth/AuthGate';
import { actorLabel, avatarColor, initials, others } from '../users/actors';
import { usePeople } from '../users/usePeople';

export function Presence({ workflowId }: { workflowId: string }) {
  const client = useClient();
  const { user } = useSession();
  const people = usePeople();
  const [actors, setActors] = useState<string[]>([]);

  // While subscribed, this user counts as present too; every message is the whole list.
  useEffect(() => {
    const subscription = client.subscription(WORKFLOW_PRESENCE, { workflowId }).subscribe((result) => {
      const presence = (result.data as { workflowPresence?: { actors: string[] } } | undefined)?.workflowPresence;
      if (presence) setActors(presence.actors);
    });
    return () => subscription.unsubscribe();
  }, [client, workflowId]);

  const shown = others(actors, user?.id ?? null);
  if (shown.length === 0) return null;
  const labels = shown.map((actor) => actorLabel(actor, people));
  return (
    <div className="presence" role="group" aria-label={`Also here: ${labels.join(', ')}`} data-testid="presence">
      {shown.map((actor, i) => (
        <span
          key={actor}
          className="avatar"
          style={{ background: avatarColor(actor) }}
          title={`${labels[i]} has this workflow open`}
          data-testid="presence-avatar"
          data-actor={actor}
        >
          {initials(labels[i])}
        </span>
      ))}
    </div>
  );
}
