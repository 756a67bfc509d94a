//! Repairs the most common fence mistake: a Markdown file (a README) written inside a fence
//! of the same length as the fences it contains. CommonMark closes the outer block at the
//! first inner closing fence, which splits the README and turns its tail into stray blocks.
//!
//! Inside a block whose language is Markdown (or whose info string or label names a `.md`
//! file), a fence line *with* an info string opens an inner block and the next bare fence
//! closes it; the outer block closes at a bare fence with no inner block open. When an outer
//! block had inner ones, its two fences are lengthened so CommonMark reads it the same way.
//! Nothing changes when the nesting does not balance.

use super::blocks::fence_of;

/// `reply` with the fences of Markdown blocks that hold same-length fences lengthened.
pub(crate) fn lengthen_outer_fences(reply: &str) -> std::borrow::Cow<'_, str> {
    let lines: Vec<&str> = reply.split_inclusive('\n').collect();
    let mut edits: Vec<(usize, usize, usize)> = Vec::new(); // (open line, close line, inner max)
    let mut index = 0;
    while index < lines.len() {
        let Some((marker, count, info)) = fence_line(lines[index]) else {
            index += 1;
            continue;
        };
        let label = index.checked_sub(1).map_or("", |i| lines[i]);
        if !is_markdown(info, label) {
            index = skip_block(&lines, index, marker, count);
            continue;
        }
        let (mut depth, mut inner_max, mut close) = (0usize, 0usize, None);
        for (offset, line) in lines[index + 1..].iter().enumerate() {
            let Some((m, c, inner_info)) = fence_line(line) else {
                continue;
            };
            if m != marker || c < count {
                continue;
            }
            if !inner_info.is_empty() {
                depth += 1;
                inner_max = inner_max.max(c);
            } else if depth > 0 {
                depth -= 1;
            } else {
                close = Some(index + 1 + offset);
                break;
            }
        }
        match close {
            Some(close) if inner_max > 0 => {
                edits.push((index, close, inner_max));
                index = close + 1;
            }
            _ => index = skip_block(&lines, index, marker, count),
        }
    }
    if edits.is_empty() {
        return reply.into();
    }
    let mut out = String::with_capacity(reply.len() + edits.len() * 2);
    for (number, line) in lines.iter().enumerate() {
        match edits
            .iter()
            .find(|(open, close, _)| *open == number || *close == number)
        {
            Some(&(_, _, inner)) => {
                let at = line.find(['`', '~']).unwrap_or(0);
                let marker = &line[at..at + 1];
                let count = line[at..]
                    .chars()
                    .take_while(|c| c.to_string() == marker)
                    .count();
                out.push_str(&line[..at]);
                out.push_str(&marker.repeat(inner + 1));
                out.push_str(&line[at + count..]);
            }
            None => out.push_str(line),
        }
    }
    out.into()
}

/// A fence line: its marker, length and info string.
fn fence_line(line: &str) -> Option<(char, usize, &str)> {
    let (marker, count) = fence_of(line)?;
    let at = line.find(marker)?;
    let info = line[at + count..].trim();
    // A backtick fence's info string cannot hold a backtick (CommonMark).
    (marker == '~' || !info.contains('`')).then_some((marker, count, info))
}

fn is_markdown(info: &str, label: &str) -> bool {
    let word = info
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    matches!(word.as_str(), "markdown" | "md") || info.to_ascii_lowercase().contains(".md") || {
        let label = label.to_ascii_lowercase();
        label.contains(".md") && label.len() < 120
    }
}

/// The line after the block opened at `open` (CommonMark rules: a bare fence at least as long).
fn skip_block(lines: &[&str], open: usize, marker: char, count: usize) -> usize {
    for (offset, line) in lines[open + 1..].iter().enumerate() {
        if let Some((m, c, info)) = fence_line(line)
            && m == marker
            && c >= count
            && info.is_empty()
        {
            return open + offset + 2;
        }
    }
    lines.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_readme_in_a_same_length_fence_is_kept_whole() {
        let reply = "**README.md**\n```markdown\n# App\n```bash\nnpm i\n```\nDone.\n```\n\n**a.js**\n```js\n1\n```\n";
        let fixed = lengthen_outer_fences(reply);
        assert_eq!(
            fixed,
            "**README.md**\n````markdown\n# App\n```bash\nnpm i\n```\nDone.\n````\n\n**a.js**\n```js\n1\n```\n"
        );
    }

    #[test]
    fn other_replies_are_untouched() {
        for reply in [
            "```js\n```py\n```\n",
            "````md\n```bash\nx\n```\n````\n",
            "```markdown\n# A\n```\n",
            "```markdown\n```bash\nunbalanced\n",
        ] {
            assert!(
                matches!(lengthen_outer_fences(reply), std::borrow::Cow::Borrowed(_)),
                "{reply}"
            );
        }
    }
}
