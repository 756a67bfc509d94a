/**
 * The code generator's API shapes as the page reads them.
 *
 * Most come straight from the generated `schema.d.ts`. Three do not: the server's codegen
 * `FileEntry`, `UsageView` and `GenerationAccepted` share their schema names with the extension
 * builder's and the chat's, so the OpenAPI document (and the generated types) carry only one of
 * each — the other app's. Until the server names them apart, their codegen form is written here,
 * as the server serialises it (crates/cistern/src/apps/codegen/views.rs).
 */
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
export interface CodegenFile {
  path: string;
  language: Language;
  size: number;
  syntax: SyntaxReport;
}

/** Tokens spent on a generation, over all its calls. */
export interface CodegenUsage {
  input_tokens: number;
  output_tokens: number;
  /** Model calls: the first, continuations, repairs. */
  calls: number;
}

/** A generation, with the codegen forms of its files and usage. */
export type Generation = Omit<Schemas["GenerationView"], "files" | "usage"> & {
  files: CodegenFile[];
  usage: CodegenUsage;
};

/** `202` to `POST /api/v1/generate_code` with `async: true`. */
export interface GenerationStarted {
  generation_id: string;
  job_id: string;
}

/** What a generate request answers: started (202), or a finished generation (200, a cache hit). */
export type GenerateAnswer = GenerationStarted | Generation;

export const isStarted = (a: GenerateAnswer): a is GenerationStarted => "generation_id" in a;

/** A framework the generator has a template for (`GET /api/v1/codegen/frameworks`). */
export type FrameworkInfo = Schemas["FrameworkInfo"];

/** `POST /api/v1/codegen/detect`: what a generation of the prompt would be built with. */
export type Detected = Schemas["DetectedFramework"];
