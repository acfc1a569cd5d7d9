// What a failed sign-in looks like: one clear page per failure kind, with its status code.
// The page never repeats provider text or token contents; the log line gets the detail.
import { FAILURE } from "./oidc-client.js";
import { messagePage, signInBar } from "../pages/layout.js";

const AGAIN = [["/auth/login", "Sign in again"], ["/", "Back to the status page"]];

/** kind -> [status, title, message] */
const WORDING = {
  [FAILURE.PROVIDER_DOWN]: [503, "Sign-in is unavailable", "The sign-in service did not answer. Please try again in a few minutes."],
  [FAILURE.NO_TRANSACTION]: [400, "Sign-in expired", "This sign-in was not started in this browser, or it took longer than 10 minutes. Please start again."],
  [FAILURE.STATE]: [400, "Sign-in could not be matched", "The answer from the sign-in service does not belong to the sign-in this browser started (state mismatch). Please start again."],
  [FAILURE.PROVIDER_REFUSED]: [403, "Sign-in was not completed", "The sign-in service did not sign you in (it was cancelled or refused)."],
  [FAILURE.CODE_REJECTED]: [400, "Sign-in link already used", "The sign-in code was refused: it was already used or has expired. Please sign in again."],
  [FAILURE.ID_TOKEN]: [401, "Sign-in could not be verified", "The identity token from the sign-in service failed verification (signature, issuer, audience, expiry or nonce). You are not signed in."],
  [FAILURE.CLAIMS]: [403, "Your account cannot be used here", "The sign-in service sent account details this site cannot use. You are not signed in."],
  [FAILURE.TOO_LARGE]: [403, "Your account cannot be used here", "Your account carries more details than fit in a sign-in cookie. You are not signed in."],
};

/** The failure page; `headers` (pairs) clears the sign-in transaction cookie. */
export function failurePage(request, kind, headers) {
  const [status, title, message] = WORDING[kind] ?? [400, "Sign-in failed", "Please sign in again."];
  return messagePage(request, { status, title, message, actions: AGAIN, bar: signInBar(null, "/", { signIn: false }), headers });
}
