/**
 * The client address a throttle may key on: the X-Forwarded-For entry `trustedHops` from the right, the one our
 * nearest trusted proxy saw. Entries to its left were written by the client and prove nothing.
 */
export function clientAddressOf(headers: Headers, trustedHops: number): string | null {
  const hops = (headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((hop) => hop.trim())
    .filter(Boolean);
  if (hops.length > 0) return hops[Math.max(0, hops.length - trustedHops)]!;
  return headers.get('x-real-ip')?.trim() || null;
}
