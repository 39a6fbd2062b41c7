import { api, ApiError, type Schema } from "./api";
import type { Router } from "./router";

export type Profile = Schema<"ProfileOutput">;

/** Who is signed in; pages ask it rather than fetching /me/ themselves. */
export class Session {
  profile: Profile | null = null;
  private routerRef: Router | null = null;
  private listeners: (() => void)[] = [];

  async refresh(): Promise<Profile | null> {
    try {
      this.profile = await api<Profile>("me/");
    } catch (error) {
      if (!(error instanceof ApiError) || (error.status !== 401 && error.status !== 403)) throw error;
      this.profile = null;
    }
    this.listeners.forEach((listener) => listener());
    return this.profile;
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  attach(router: Router): void {
    this.routerRef = router;
  }

  router(): Router {
    if (!this.routerRef) throw new Error("router not attached");
    return this.routerRef;
  }
}

/** Whether someone is signed in; if not, the page sends them to the sign-in form. */
export async function signedIn(session: Session): Promise<boolean> {
  if (await session.refresh()) return true;
  session.router().go("/login");
  return false;
}
