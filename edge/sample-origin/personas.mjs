// The demo personas: viewer claims in the SPEC §1 shape. Used by the demo command (which
// signs them into JWTs), the demo page (/demo/personas.json) and the tests.
//
// `canaries` lists the CANARY- markers in the demo data the persona must never receive;
// `sees` lists markers it must receive (so a test notices a filter that hides everything).
export const ALL_CANARIES = ["CANARY-STAFF", "CANARY-PREMIUM", "CANARY-GLOBEX", "CANARY-INITECH", "CANARY-PARTNER", "CANARY-SIGNEDIN", "CANARY-VERIFIED"];

export const PARTNER_PAGE = "95001";

export const personas = {
  anonymous: {
    label: "Anonymous visitor",
    claims: {},
    sees: [],
  },
  signedup: {
    label: "Signed up, email not verified",
    claims: { sub: "u-signup-sam", email: "sam@mail.example", email_verified: false },
    sees: ["CANARY-SIGNEDIN"],
  },
  globex: {
    label: "Globex customer (enterprise plan, verified)",
    claims: { sub: "u-globex-ann", email: "ann@globex.example", email_verified: true, orgs: ["globex"], attrs: { plan: "enterprise" } },
    sees: ["CANARY-SIGNEDIN", "CANARY-VERIFIED", "CANARY-GLOBEX", "CANARY-PREMIUM"],
  },
  initech: {
    label: "Initech customer (standard plan, verified)",
    claims: { sub: "u-initech-bob", email: "bob@initech.example", email_verified: true, orgs: ["initech"], attrs: { plan: "standard" } },
    sees: ["CANARY-SIGNEDIN", "CANARY-VERIFIED", "CANARY-INITECH"],
  },
  partner: {
    label: "Partner (verified, given one page by a share link)",
    claims: { sub: "u-partner-pat", email: "pat@partner.example", email_verified: true },
    share: { resources: [`article:${PARTNER_PAGE}`], emails: ["pat@partner.example"] },
    sees: ["CANARY-SIGNEDIN", "CANARY-VERIFIED", "CANARY-PARTNER"],
  },
  staff: {
    label: "Staff (keyhole.example, group staff)",
    claims: { sub: "u-staff-sue", email: "sue@keyhole.example", email_verified: true, groups: ["staff"] },
    sees: ALL_CANARIES,
  },
};

/** Markers persona `name` must not receive. `withShare`: the persona presents its share link. */
export function forbiddenFor(name, withShare = false) {
  const p = personas[name];
  const allowed = new Set(p.sees);
  if (p.share && !withShare) allowed.delete("CANARY-PARTNER");
  return ALL_CANARIES.filter((c) => !allowed.has(c));
}
