import "./style.css";
import { api } from "./api";
import { h } from "./dom";
import { NotificationLink } from "./notifications";
import { loginPage, signupPage } from "./pages/auth";
import { challengeDetailPage, challengesPage, communitiesPage } from "./pages/challenges";
import { classPlayerPage } from "./pages/classPlayer";
import { classDetailPage, classesPage, classHistoryPage, classLivePage } from "./pages/classes";
import { companionPage } from "./pages/companion";
import { dashboardPage } from "./pages/dashboard";
import { devicesPage } from "./pages/devices";
import { profilePage } from "./pages/profile";
import { workoutDetailPage, workoutsPage } from "./pages/workouts";
import { worldLivePage, worldsPage } from "./pages/worlds";
import { Router } from "./router";
import { twoFactorPage } from "./security/twoFactor";
import { Session } from "./session";

const session = new Session();
const outlet = document.getElementById("main")!;

function navigation(): HTMLElement {
  const signedIn = session.profile !== null;
  const link = (href: string, text: string) => h("li", {}, h("a", { href, "data-link": true }, text));
  const items = signedIn
    ? [link("/", "Dashboard"), link("/workouts", "Workouts"), link("/worlds", "Worlds"), link("/challenges", "Challenges"), link("/communities", "Communities"), link("/classes", "Classes"), link("/profile", "Profile and privacy"), link("/security", "Security"), link("/devices", "Devices"), link("/companion", "Companion")]
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

const router = new Router(outlet, () => h("section", { class: "card" }, h("h1", {}, "Page not found"), h("p", {}, h("a", { href: "/", "data-link": true }, "Back to the dashboard"))))
  .add("/", "Dashboard", dashboardPage(session))
  .add("/login", "Sign in", loginPage(session))
  .add("/signup", "Create account", signupPage(session))
  .add("/profile", "Profile and privacy", profilePage(session))
  .add("/security", "Two-factor authentication", twoFactorPage(session))
  .add("/devices", "Devices", devicesPage(session))
  .add("/companion", "Phone companion", companionPage(session))
  .add("/worlds", "Worlds", worldsPage(session))
  .add("/worlds/:id", "Live world", worldLivePage(session))
  .add("/workouts", "Workouts", workoutsPage(session))
  .add("/workouts/:id", "Workout", workoutDetailPage(session))
  .add("/challenges", "Challenges", challengesPage(session))
  .add("/challenges/:id", "Challenge", challengeDetailPage(session))
  .add("/communities", "Communities", communitiesPage(session))
  .add("/classes", "Classes", classesPage(session))
  .add("/classes/live/:occurrence", "Live class", classLivePage(session))
  .add("/classes/history", "Class history", classHistoryPage(session))
  .add("/classes/:id/play", "Take a class", classPlayerPage(session))
  .add("/classes/:id", "Class", classDetailPage(session));
session.attach(router);
session.onChange(() => document.getElementById("nav")!.replaceChildren(navigation()));
// Badges, levels and announcements reach every page while someone is signed in.
const notifications = new NotificationLink();
session.onChange(() => notifications.follow(session.profile !== null));

void session.refresh().then(() => router.render());

if ("serviceWorker" in navigator) {
  void navigator.serviceWorker.register("/sw.js", { scope: "/" });
}
