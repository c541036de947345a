import { mount } from "svelte";

import "./app.css";
import App from "./App.svelte";

const target = document.getElementById("app");
if (!target) throw new Error("Trove: the page has no #app element.");

const app = mount(App, { target });

export default app;
