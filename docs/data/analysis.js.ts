// Thin loader entry (Framework only looks under docs/): bundles src/analysis for the browser — see loaders/analysis-bundle.ts.
import { emitAnalysisBundle } from "../../loaders/analysis-bundle.ts";
await emitAnalysisBundle();
