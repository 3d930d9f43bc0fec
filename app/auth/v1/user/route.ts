// GET /auth/v1/user – the signed-in user (Supabase Auth compatible)
import { gotrueRoute } from '@/lib/auth/gotrue-route';
import { getUser } from '@/lib/auth/local-auth';

export const GET = gotrueRoute(({ services, request }) => getUser(services, request.headers.get('authorization')));
