/** The signed-in user's own page: who they are and their API keys (every role may have keys). */
import { useSession } from '../auth/AuthGate';
import { ApiKeys } from './ApiKeys';

export default function AccountPage() {
  const { user } = useSession();
  return (
    <section className="account">
      <div className="toolbar"><h1>Your account</h1></div>
      {user && <p>Signed in as <strong>{user.email}</strong> ({user.role}).</p>}
      <ApiKeys />
    </section>
  );
}
