/** Notices: short messages at the bottom of the screen (errors stay until dismissed). */
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';

export type NoticeKind = 'info' | 'error' | 'warning';
interface Notice { id: number; kind: NoticeKind; text: string }

interface Notices { notify(kind: NoticeKind, text: string): void }

const NoticesContext = createContext<Notices>({ notify: () => undefined });

/** Shows a notice from anywhere below `NoticesProvider`. */
export function useNotify(): Notices['notify'] {
  return useContext(NoticesContext).notify;
}

let nextId = 1;

export function NoticesProvider({ children }: { children: ReactNode }) {
  const [notices, setNotices] = useState<Notice[]>([]);
  const dismiss = useCallback((id: number) => setNotices((all) => all.filter((n) => n.id !== id)), []);
  const notify = useCallback(
    (kind: NoticeKind, text: string) => {
      const id = nextId++;
      setNotices((all) => [...all.slice(-4), { id, kind, text }]);
      if (kind === 'info') setTimeout(() => dismiss(id), 4000);
    },
    [dismiss],
  );
  const value = useMemo(() => ({ notify }), [notify]);
  return (
    <NoticesContext.Provider value={value}>
      {children}
      <div className="notices" aria-live="polite">
        {notices.map((notice) => (
          <div key={notice.id} className={`notice notice-${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
            <span>{notice.text}</span>
            <button type="button" aria-label="Dismiss" onClick={() => dismiss(notice.id)}>×</button>
          </div>
        ))}
      </div>
    </NoticesContext.Provider>
  );
}
