// POST /auth/v1/logout – ends the session: its access and refresh tokens stop working
import { gotrueRoute } from '@/lib/auth/gotrue-route';
import { signOut } from '@/lib/auth/local-auth';

export const POST = gotrueRoute(({ services, request }) => signOut(services, request.headers.get('authorization')));
