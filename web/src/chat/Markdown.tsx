/**
 * A chat message as Markdown (GitHub flavour: tables, task lists, strikethrough, autolinks)
 * with highlighted code. react-markdown builds React elements, never innerHTML: raw HTML in a
 * reply is shown as text, and `javascript:` links are dropped by its default URL filter. A
 * reply still streaming renders as it is: an unclosed fence is a code block to the end.
 */
import ReactMarkdown from "react-markdown";
import remarkGfm from "remark-gfm";
import "highlight.js/styles/github.css";
import { rehypeCodeHighlight } from "./highlight";

const remarkPlugins = [remarkGfm];
const rehypePlugins = [rehypeCodeHighlight];

export function Markdown({ text }: { text: string }) {
  return (
    <div className="markdown">
      <ReactMarkdown remarkPlugins={remarkPlugins} rehypePlugins={rehypePlugins}>
        {text}
      </ReactMarkdown>
    </div>
  );
}
