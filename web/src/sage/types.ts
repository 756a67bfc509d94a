/** Sage's API shapes, from the generated `schema.d.ts` (and the few it does not describe yet). */
import type { components } from "../api/schema";

type Schemas = components["schemas"];

export type Project = Schemas["ProjectView"];
export type ProjectPage = Schemas["Page_ProjectView"];
export type CreateProject = Schemas["CreateProject"];
export type UpdateProject = Schemas["UpdateProject"];
export type Ingest = Schemas["IngestView"];
export type IngestPage = Schemas["Page_IngestView"];
export type RiskPoint = Schemas["RiskPoint"];
export type TemplateView = Schemas["TemplateView"];
export type Templates = Schemas["Templates"];
export type Counts = Schemas["Counts"];

/**
 * One reason behind a score (`cistern_logs::Factor`). The OpenAPI document types factors as
 * bare objects, so the shape is written out here.
 */
export interface Factor {
  label: string;
  /** 0–1. */
  severity: number;
  /** Points this factor alone would give (0–100). */
  points: number;
  /** A sentence a user can read. */
  detail: string;
  observed: number;
  baseline: number | null;
  templates: string[];
  values: number[];
  /** Input lines `[first, last]` of the window concerned, when not the whole input. */
  lines: [number, number] | null;
}

/** `POST …/ingest`'s answer, with its factors typed. */
export type IngestOutcome = Omit<Schemas["IngestOutcome"], "factors"> & { factors: Factor[] };

/** What the risk panel shows: a scored ingest, with its factors when they are known. */
export interface Scored {
  score: number;
  labels: string[];
  at: string;
  /** Absent when the ingest was not made from this page (the list of ingests carries none). */
  factors?: Factor[];
  counts?: Counts | null;
  learning?: boolean;
}

export type Outlook = Schemas["Outlook"];
export type Priority = Schemas["Priority"];
/** A user's verdict on a forecast. */
export type ForecastFeedback = Schemas["FeedbackView"];
/** One of a forecast's three actions. */
export type ForecastAction = Schemas["ForecastAction"];
/** A day's forecast for a project: outlook, text, three actions, who wrote it, its feedback. */
export type Forecast = Schemas["ForecastView"];
