// What an integrator writes on the types openapi-typescript generates from openapi.yaml (./schema.d.ts,
// generated, not committed) and openapi-fetch: create, page through the list, handle a 422 through the
// problem's errors, read a document stored by the first release and revalidate it with its ETag.
// Checked with `tsc --strict` and run against a live server by tests/e2e/test_typescript_client.py.
//
//   HIREMIX_URL=... HIREMIX_KEY=... HIREMIX_OLD_IDS=rec_...,rec_... node out/usage.js
import { randomUUID } from "node:crypto";
import createClient from "openapi-fetch";
import type { components, paths } from "./schema";

type Recommendation = components["schemas"]["Recommendation"];

function check(condition: boolean, message: string): void {
  if (!condition) {
    console.error(`typescript client: ${message}`);
    process.exit(1);
  }
}

async function main(): Promise<void> {
  const oldIds = (process.env.HIREMIX_OLD_IDS ?? "").split(",").filter((id) => id !== "");
  const client = createClient<paths>({
    baseUrl: process.env.HIREMIX_URL,
    headers: { Authorization: `Bearer ${process.env.HIREMIX_KEY ?? ""}` },
  });

  // Create, with an Idempotency-Key of its own.
  const created = await client.POST("/v1/recommendations", {
    params: { header: { "Idempotency-Key": randomUUID() } },
    body: { stage: "seed", team_size: 6, product_complexity: "low", business_model: "b2b_saas", planned_hires: 4,
            external_id: "REQ-TS" },
  });
  check(created.response.status === 201 && created.data !== undefined, `create answered ${created.response.status}`);
  const made: Recommendation | undefined = created.data;
  if (made === undefined) return;
  check(made.recommendation === "product_engineers", `verdict ${made.recommendation}`);
  check(created.response.headers.get("Location") === `/v1/recommendations/${made.id}`, "Location");
  check((created.response.headers.get("Hiremix-Version") ?? "") !== "", "no Hiremix-Version");

  // Page through the list, feeding next_cursor straight back as cursor.
  const seen: string[] = [];
  let page = await client.GET("/v1/recommendations", { params: { query: { limit: 2 } } });
  for (;;) {
    const body = page.data;
    check(body !== undefined, `a page failed: ${page.response.status}`);
    if (body === undefined) return;
    seen.push(...body.data.map((item) => item.id));
    if (!body.has_more) break;
    page = await client.GET("/v1/recommendations", { params: { query: { limit: 2, cursor: body.next_cursor } } });
  }
  check(new Set(seen).size === seen.length, "an id was listed twice");
  check(seen.includes(made.id) && oldIds.every((id) => seen.includes(id)), `missing from the list: ${seen}`);

  // Pin the contract version this program was written against: a typed header parameter.
  const pinned = await client.POST("/v1/recommendations/preview", {
    params: { header: { "Hiremix-Version": "2026-11-26" } },
    body: { stage: "seed", team_size: 6, product_complexity: "low", business_model: "b2b_saas" },
  });
  check(pinned.response.status === 200, `a pinned preview answered ${pinned.response.status}`);
  check(pinned.response.headers.get("Hiremix-Version") === "2026-11-26", "the pin was not followed");

  // A 422, read through the problem's errors.
  const refused = await client.POST("/v1/recommendations/preview", {
    body: { stage: "seed", team_size: -1, product_complexity: "low", business_model: "b2b_saas" },
  });
  check(refused.response.status === 422 && refused.error !== undefined, `status ${refused.response.status}`);
  const problem = refused.error;
  if (problem === undefined) return;
  check(problem.code === "validation_failed", problem.code);
  const pointers = (problem.errors ?? []).map((error) => error.pointer);
  check(pointers.includes("/team_size"), `pointers ${pointers}`);

  // Documents stored by the first releases: the fields added since are simply absent.
  for (const id of oldIds) {
    const old = await client.GET("/v1/recommendations/{id}", { params: { path: { id } } });
    check(old.data !== undefined, `${id} answered ${old.response.status}`);
    if (old.data === undefined) return;
    check(old.data.factors.length > 0, "no factors");
    const etag = old.response.headers.get("ETag");
    check(etag !== null, "no ETag");
    const again = await client.GET("/v1/recommendations/{id}", {
      params: { path: { id }, header: { "If-None-Match": etag ?? "" } },
    });
    check(again.response.status === 304, `If-None-Match answered ${again.response.status}`);
  }
  const firstId = oldIds[0];
  if (firstId !== undefined) {
    const first = await client.GET("/v1/recommendations/{id}", { params: { path: { id: firstId } } });
    const document: Recommendation | undefined = first.data;
    check(document !== undefined, "the first old document did not read");
    if (document === undefined) return;
    check((document.what_would_change?.length ?? 0) === 0 && document.note_text === undefined,
          "the first release had no decision aids");
  }
  console.log(`typescript client: ok (${seen.length} recommendations listed)`);
}

main().catch((error: unknown) => {
  console.error(`typescript client: ${String(error)}`);
  process.exit(1);
});
