import { describe, expect, it } from "vitest";
import { answerText, bodyText, filtersFrom, formatMs } from "./calls";

describe("LLM call helpers", () => {
  it("reads filters from the URL and drops unknown statuses", () => {
    expect(filtersFrom(new URLSearchParams("model=fast&status=error&app=%20chat%20"))).toEqual({
      model: "fast",
      status: "error",
      app: "chat",
    });
    expect(filtersFrom(new URLSearchParams("status=weird")).status).toBe("");
  });

  it("formats latencies", () => {
    expect(formatMs(null)).toBe("—");
    expect(formatMs(849.6)).toBe("850 ms");
    expect(formatMs(1234)).toBe("1.2 s");
    expect(formatMs(12_345)).toBe("12 s");
  });

  it("says why a body is missing", () => {
    expect(bodyText({ a: 1 }, "request", false)).toBe('{\n  "a": 1\n}');
    expect(bodyText(null, "response", true)).toMatch(/failed/);
    expect(bodyText(null, "request", false)).toMatch(/record_bodies/);
  });

  it("finds the answer in a canonical response", () => {
    expect(answerText({ message: { role: "assistant", content: "Paris." } })).toBe("Paris.");
    expect(
      answerText({
        message: {
          content: [
            { type: "text", text: "a" },
            { type: "text", text: "b" },
          ],
        },
      }),
    ).toBe("ab");
    expect(answerText({ message: { content: null } })).toBeUndefined();
    expect(answerText("nope")).toBeUndefined();
  });
});
