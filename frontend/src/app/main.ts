import "./style.css";
import { api } from "./api";
import { h } from "./dom";
import { NotificationLink } from "./notifications";
import { confirmEmailPage, loginPage, signupPage } from "../auth/page";
import { appointmentsPage } from "../care/appointments";
import { availabilityPage } from "../care/availability";
import { carePage, carePatientPage, clinicianPage } from "../care/page";
import { challengeDetailPage, challengesPage, communitiesPage } from "../challenges/page";
import { classPlayerPage } from "../classes/player-page";
import { classDetailPage, classesPage, classHistoryPage, classLivePage } from "../classes/page";
import { companionPage } from "../companion/page";
import { consultationPage } from "../consultations/page";
import { dashboardPage } from "../dashboard/page";
import { devicesPage } from "../devices/page";
import { profilePage } from "../profile/page";
import { rehabPatientsPage, rehabPage } from "../rehab/page";
import { rehabPlayerPage } from "../rehab/player";
import { workoutDetailPage, workoutsPage } from "../workouts/page";
import { worldLivePage, worldsPage } from "../worlds/page";
import { Router, type Render } from "./router";
import routes from "./routes.json";
import { twoFactorPage } from "../security/twoFactor";
import { Session } from "./session";

const session = new Session();
const outlet = document.getElementById("main")!;

function navigation(): HTMLElement {
  const signedIn = session.profile !== null;
  const link = (href: string, text: string) => h("li", {}, h("a", { href, "data-link": true }, text));
  const items = signedIn
    ? [link("/", "Dashboard"), link("/workouts", "Workouts"), link("/worlds", "Worlds"), link("/challenges", "Challenges"), link("/communities", "Communities"), link("/classes", "Classes"), link("/care", "My care"), link("/profile", "Profile and privacy"), link("/security", "Security"), link("/devices", "Devices"), link("/companion", "Companion")]
    : [link("/login", "Sign in"), link("/signup", "Create account")];
  const list = h("ul", {}, ...items);
  if (signedIn) {
    const signOut = h("button", { type: "button", class: "link" }, "Sign out");
    signOut.addEventListener("click", async () => {
      await api("auth/logout/", { method: "POST" });
      await session.refresh();
      router.go("/");
    });
    list.append(h("li", {}, signOut));
  }
  return list;
}

// The page each client route (routes.json, which Django's frontend/urls.py also reads) renders.
const pages: Record<string, (session: Session) => Render> = {
  dashboard: dashboardPage,
  login: loginPage,
  signup: signupPage,
  confirmEmail: confirmEmailPage,
  profile: profilePage,
  security: twoFactorPage,
  devices: devicesPage,
  companion: companionPage,
  worlds: worldsPage,
  worldLive: worldLivePage,
  workouts: workoutsPage,
  workoutDetail: workoutDetailPage,
  challenges: challengesPage,
  challengeDetail: challengeDetailPage,
  communities: communitiesPage,
  classes: classesPage,
  classLive: classLivePage,
  classHistory: classHistoryPage,
  classPlayer: classPlayerPage,
  classDetail: classDetailPage,
  care: carePage,
  careClinician: clinicianPage,
  careAppointments: appointmentsPage,
  careAvailability: availabilityPage,
  carePatient: carePatientPage,
  rehab: rehabPage,
  rehabPatients: rehabPatientsPage,
  rehabPlayer: rehabPlayerPage,
  consultation: consultationPage,
};

const router = new Router(outlet, () => h("section", { class: "card" }, h("h1", {}, "Page not found"), h("p", {}, h("a", { href: "/", "data-link": true }, "Back to the dashboard"))));
for (const route of routes) {
  const page = pages[route.page];
  if (!page) throw new Error(`routes.json: no page "${route.page}" for ${route.path}`);
  router.add(route.path, route.title, page(session));
}
session.attach(router);
session.onChange(() => document.getElementById("nav")!.replaceChildren(navigation()));
// Badges, levels and announcements reach every page while someone is signed in.
const notifications = new NotificationLink();
session.onChange(() => notifications.follow(session.profile !== null));

void session.refresh().then(() => router.render());

if ("serviceWorker" in navigator) {
  void navigator.serviceWorker.register("/sw.js", { scope: "/" });
}
