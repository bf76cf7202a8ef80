// Every workflow the worker registers; the bundler starts here.
export { composePipeline, pipelineQuery, stageQuery, signoffUpdate, ciResultSignal } from "./compose-pipeline.js";
export { artifactBuild } from "./artifact-build.js";
export { releaseTrigger, packageChangesSignal, triggerQuery } from "./release-trigger.js";
export { nightlyPipeline } from "./nightly.js";
