// The API client: JSON in and out, session cookie + CSRF header, and the one error format.

export interface ErrorBody {
  error: { code: string; message: string; fields: Record<string, string[]> };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Record<string, string[]> = {},
  ) {
    super(message);
  }
}

export function readCookie(cookies: string, name: string): string | null {
  for (const part of cookies.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return null;
}

export function toApiError(status: number, body: unknown): ApiError {
  const error = (body as Partial<ErrorBody> | null)?.error;
  if (error && typeof error.message === "string") {
    return new ApiError(status, error.code ?? "error", error.message, error.fields ?? {});
  }
  return new ApiError(status, "http_error", `The server answered ${status}.`);
}

export async function api<T>(
  path: string,
  options: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<T> {
  const method = options.method ?? "GET";
  const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
  if (method !== "GET") {
    headers["Content-Type"] = "application/json";
    const csrf = readCookie(document.cookie, "csrftoken");
    if (csrf) headers["X-CSRFToken"] = csrf;
  }
  const response = await fetch(`/api/v1/${path}`, {
    method,
    headers,
    credentials: "same-origin",
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  if (response.status === 204) return undefined as T;
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) throw toApiError(response.status, body);
  return body as T;
}

/** Make sure the csrftoken cookie exists before the first form is sent. */
export async function ensureCsrf(): Promise<void> {
  if (!readCookie(document.cookie, "csrftoken")) await api("auth/csrf/");
}
