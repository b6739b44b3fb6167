import { useEffect, useState } from 'react';

/** Hash routes (#/invoices/ir_…): the server serves one page, and a reload keeps the place. */
export function useHashPath(): string {
  const [path, setPath] = useState(() => location.hash.slice(1) || '/dashboard');
  useEffect(() => {
    const onChange = () => setPath(location.hash.slice(1) || '/dashboard');
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return path;
}

export function go(path: string): void {
  location.hash = path;
}
