// The signed-in session. The access token lives in memory only; the refresh token is kept in
// sessionStorage until the backend offers an HttpOnly cookie for it.
const KEY = "nocodedb.refresh";
let access = null;
let user = null;
const listeners = new Set();

export const session = {
  access: () => access,
  user: () => user,
  refreshToken: () => sessionStorage.getItem(KEY),
  signedIn: () => Boolean(access || sessionStorage.getItem(KEY)),
  start(body) {
    access = body.access_token || body.token;
    user = body.user || null;
    if (body.refresh_token) sessionStorage.setItem(KEY, body.refresh_token);
    listeners.forEach((f) => f("in"));
  },
  setAccess(token) { access = token; },
  setUser(u) { user = u; },
  clear() { access = null; user = null; sessionStorage.removeItem(KEY); },
  signOut() { this.clear(); listeners.forEach((f) => f("out")); },
  expired() { this.clear(); listeners.forEach((f) => f("expired")); },
  on(f) { listeners.add(f); return () => listeners.delete(f); },
};
