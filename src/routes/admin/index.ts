/** /api/admin: every route here is for staff and admins; admin-only routers add their own guard. */
import { Hono } from "hono";
import type { AppEnv } from "../../http/app-env";
import { requireStaff } from "../../http/session";
import { adminEvents } from "./events";
import { adminLive } from "./live";

export const adminApi = new Hono<AppEnv>().use(requireStaff).route("/live", adminLive).route("/", adminEvents);
