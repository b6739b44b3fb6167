import { createContext, useContext } from 'react';
import { roleAtLeast } from './roles';
import type { StaffRole, StaffView } from './types';

export const SessionContext = createContext<StaffView | null>(null);

export function useStaff(): StaffView {
  const staff = useContext(SessionContext);
  if (!staff) throw new Error('outside the session');
  return staff;
}

/** Whether the logged-in staff member may do what needs `least` (the server checks again). */
export function useCan(least: StaffRole): boolean {
  return roleAtLeast(useStaff().role, least);
}
