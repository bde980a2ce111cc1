/** The staff console's chunk (loaded only on /admin): the app and its styles, uPlot's among them. */
import "./console.css";
import "./pages.css";
import "uplot/dist/uPlot.min.css";

export { ConsoleApp } from "../islands/console-app";
