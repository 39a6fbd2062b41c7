import { h } from "../dom";
import type { Session } from "../session";

export const dashboardPage = (session: Session) => async () => {
  const profile = await session.refresh();
  if (!profile) {
    return h(
      "section",
      { class: "card narrow" },
      h("h1", {}, "Welcome to Wellverse"),
      h("p", {}, "Run, ride, walk and do yoga with your wearables, together in shared virtual worlds."),
      h("p", {}, h("a", { href: "/signup", "data-link": true, class: "button" }, "Create an account"), " or ", h("a", { href: "/login", "data-link": true }, "sign in")),
    );
  }
  return h(
    "div",
    {},
    h("h1", {}, `Hello, ${profile.display_name}`),
    profile.health_data_consent
      ? null
      : h(
          "section",
          { class: "card notice" },
          h("h2", {}, "One step before your first workout"),
          h("p", {}, "Wellverse needs your consent to store heart rate and workouts. ", h("a", { href: "/profile", "data-link": true }, "Review and consent")),
        ),
    h(
      "section",
      { class: "card" },
      h("h2", {}, "Get moving"),
      h("ul", {}, h("li", {}, h("a", { href: "/devices", "data-link": true }, "Connect a wearable bridge or phone"))),
    ),
  );
};
