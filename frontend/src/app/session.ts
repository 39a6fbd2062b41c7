import { api, ApiError } from "./api";
import type { Router } from "./router";

export interface Profile {
  email: string;
  display_name: string;
  public_name: string;
  birth_year: number | null;
  sex: string;
  weight_kg: string | null;
  resting_heart_rate: number | null;
  max_heart_rate: number | null;
  effective_max_heart_rate: { value: number; source: string; formula: string | null } | null;
  lactate_threshold_heart_rate: number | null;
  units: string;
  time_zone: string;
  visibility: "public" | "private";
  pseudonym: string;
  show_in_live_worlds: boolean;
  health_data_consent: boolean;
}

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
