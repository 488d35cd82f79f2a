// Thin loader entry (Framework only looks under docs/): the code is loaders/emit.ts — see its header.
import { emit } from "../../loaders/emit.ts";
await emit("completions.arrow");
