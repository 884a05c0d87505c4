import { useEffect } from 'react';
import { adminStore, useAdmin } from '../store/admin-store.ts';
import { connectAdmin } from './admin-connection.ts';

/** Keeps the `/admin` socket open while there is a token; reopens it on token change or reconnect. */
export function useAdminConnection(): void {
  const token = useAdmin((s) => s.token);
  const epoch = useAdmin((s) => s.epoch);
  useEffect(() => {
    if (token === null) return;
    return connectAdmin(token, adminStore);
    // epoch only forces a fresh connection
  }, [token, epoch]);
}
