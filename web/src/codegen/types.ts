/** The code generator's API shapes, from the generated `schema.d.ts`. */
import type { components } from "../api/schema";

type Schemas = components["schemas"];

export type Language = Schemas["Language"];
export type SyntaxReport = Schemas["SyntaxReport"];
export type SyntaxError = Schemas["SyntaxError"];
export type FrameworkView = Schemas["FrameworkView"];
export type GenerationSummary = Schemas["GenerationSummary"];
export type GenerationState = Schemas["GenerationState"];
export type Warning = Schemas["Warning"];

/** One file of a generation, with its syntax check. */
export type CodegenFile = Schemas["GeneratedFile"];

/** Tokens spent on a generation, over all its calls. */
export type CodegenUsage = Schemas["GenerationUsage"];

/** A generation. */
export type Generation = Schemas["GenerationView"];

/** `202` to `POST /api/v1/generate_code` with `async: true`. */
export type GenerationStarted = Schemas["GenerationStarted"];

/** What a generate request answers: started (202), or a finished generation (200, a cache hit). */
export type GenerateAnswer = GenerationStarted | Generation;

export const isStarted = (a: GenerateAnswer): a is GenerationStarted => "generation_id" in a;

/** A framework the generator has a template for (`GET /api/v1/codegen/frameworks`). */
export type FrameworkInfo = Schemas["FrameworkInfo"];

/** `POST /api/v1/codegen/detect`: what a generation of the prompt would be built with. */
export type Detected = Schemas["DetectedFramework"];
