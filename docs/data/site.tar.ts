// Thin loader entry (Framework only looks under docs/): every data file of the site in one archive — pages read
// its members as FileAttachment("data/site/<file>"). The code is loaders/emit.ts — see its header.
import { emitSite } from "../../loaders/emit.ts";
await emitSite();
