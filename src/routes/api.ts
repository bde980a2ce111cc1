/** Mounts every /api resource router. One file per resource under src/routes/. */
import { Hono } from "hono";
import type { AppEnv } from "../http/app-env";
import { adminApi } from "./admin";

export const api = new Hono<AppEnv>().route("/admin", adminApi);
