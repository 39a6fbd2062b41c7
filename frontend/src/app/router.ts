// A small history-API router. On every navigation the new page's heading takes focus and its
// title is announced, so keyboard and screen-reader users know the page changed.

export type Render = (params: Record<string, string>) => Promise<Node> | Node;

interface Route {
  pattern: RegExp;
  keys: string[];
  render: Render;
  title: string;
}

export function compile(path: string): { pattern: RegExp; keys: string[] } {
  const keys: string[] = [];
  const source = path.replace(/:([a-z_]+)/g, (_, key: string) => {
    keys.push(key);
    return "([^/]+)";
  });
  return { pattern: new RegExp(`^${source}/?$`), keys };
}

export function match(
  routes: { pattern: RegExp; keys: string[] }[],
  pathname: string,
): { index: number; params: Record<string, string> } | null {
  for (const [index, route] of routes.entries()) {
    const found = route.pattern.exec(pathname);
    if (found) {
      const params: Record<string, string> = {};
      route.keys.forEach((key, i) => (params[key] = decodeURIComponent(found[i + 1])));
      return { index, params };
    }
  }
  return null;
}

export class Router {
  private routes: Route[] = [];

  constructor(
    private outlet: HTMLElement,
    private notFound: Render,
  ) {
    window.addEventListener("popstate", () => void this.render());
    document.addEventListener("click", (event) => {
      const link = (event.target as Element | null)?.closest?.("a[data-link]");
      if (link instanceof HTMLAnchorElement && !event.metaKey && !event.ctrlKey) {
        event.preventDefault();
        this.go(link.pathname);
      }
    });
  }

  add(path: string, title: string, render: Render): this {
    this.routes.push({ ...compile(path), render, title });
    return this;
  }

  go(path: string): void {
    history.pushState({}, "", path);
    void this.render();
  }

  async render(): Promise<void> {
    const found = match(this.routes, location.pathname);
    const route = found ? this.routes[found.index] : null;
    const page = await (route ? route.render(found!.params) : this.notFound({}));
    this.outlet.replaceChildren(page);
    document.title = `${route?.title ?? "Not found"} · Wellverse`;
    const heading = this.outlet.querySelector("h1");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  }
}
