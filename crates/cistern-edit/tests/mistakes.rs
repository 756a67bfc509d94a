//! Realistic model mistakes, each with what the engine must do: the exact files it writes, or
//! the refusal (its kind and the detail the model needs).

use cistern_edit::{Change, Error, Tree, apply};

enum Expect {
    /// The whole new content of each changed file.
    Files(&'static [(&'static str, &'static str)]),
    /// The kinds of the refusal's errors, in order.
    Refused(&'static [&'static str]),
}

struct Case {
    name: &'static str,
    files: &'static [(&'static str, &'static str)],
    reply: &'static str,
    expect: Expect,
}

fn block(path: &str, search: &str, replace: &str) -> String {
    format!("{path}\n```\n<<<<<<< SEARCH\n{search}=======\n{replace}>>>>>>> REPLACE\n```\n")
}

const CASES: &[Case] = &[
    Case {
        name: "exact match, prose around, fence",
        files: &[("a.py", "x = 1\ny = 2\n")],
        reply: "Sure! Here is the fix.\n\na.py\n```python\n<<<<<<< SEARCH\ny = 2\n=======\ny = 3\n>>>>>>> REPLACE\n```\nThat should do it.\n",
        expect: Expect::Files(&[("a.py", "x = 1\ny = 3\n")]),
    },
    Case {
        name: "block outside any fence, decorated path",
        files: &[("src/a.rs", "fn a() {}\n")],
        reply: "**src/a.rs**\n<<<<<<< SEARCH\nfn a() {}\n=======\nfn a() { b() }\n>>>>>>> REPLACE\n",
        expect: Expect::Files(&[("src/a.rs", "fn a() { b() }\n")]),
    },
    Case {
        name: "file uses tabs, model wrote spaces",
        files: &[("main.go", "func main() {\n\tif ok {\n\t\trun()\n\t}\n}\n")],
        reply: "main.go\n```go\n<<<<<<< SEARCH\n    if ok {\n        run()\n    }\n=======\n    if ok {\n        run()\n        log()\n    }\n>>>>>>> REPLACE\n```\n",
        expect: Expect::Files(&[(
            "main.go",
            "func main() {\n\tif ok {\n\t\trun()\n\t\tlog()\n\t}\n}\n",
        )]),
    },
    Case {
        name: "file uses spaces, model wrote tabs",
        files: &[("a.js", "function f() {\n  if (x) {\n    g();\n  }\n}\n")],
        reply: "a.js\n<<<<<<< SEARCH\n\tif (x) {\n\t\tg();\n\t}\n=======\n\tif (x) {\n\t\tg();\n\t\th();\n\t}\n>>>>>>> REPLACE\n",
        expect: Expect::Files(&[(
            "a.js",
            "function f() {\n  if (x) {\n    g();\n    h();\n  }\n}\n",
        )]),
    },
    Case {
        name: "search dedented by one level (model dropped the indentation)",
        files: &[("a.py", "class A:\n    def f(self):\n        return 1\n")],
        reply: "a.py\n<<<<<<< SEARCH\ndef f(self):\n    return 1\n=======\ndef f(self):\n    return 2\n\ndef g(self):\n    return 3\n>>>>>>> REPLACE\n",
        expect: Expect::Files(&[(
            "a.py",
            "class A:\n    def f(self):\n        return 2\n\n    def g(self):\n        return 3\n",
        )]),
    },
    Case {
        name: "search indented one level too deep",
        files: &[("a.py", "def f():\n    return 1\n")],
        reply: "a.py\n<<<<<<< SEARCH\n    def f():\n        return 1\n=======\n    def f():\n        return 10\n>>>>>>> REPLACE\n",
        expect: Expect::Files(&[("a.py", "def f():\n    return 10\n")]),
    },
    Case {
        name: "file has trailing whitespace the model dropped; untouched lines keep it",
        files: &[("a.txt", "one  \ntwo\t\nthree\n")],
        reply: "a.txt\n<<<<<<< SEARCH\none\ntwo\n=======\none\nTWO\n>>>>>>> REPLACE\n",
        expect: Expect::Files(&[("a.txt", "one  \nTWO\nthree\n")]),
    },
    Case {
        name: "model added trailing whitespace the file lacks",
        files: &[("a.txt", "one\ntwo\n")],
        reply: "a.txt\n<<<<<<< SEARCH\ntwo   \n=======\n2\n>>>>>>> REPLACE\n",
        expect: Expect::Files(&[("a.txt", "one\n2\n")]),
    },
    Case {
        name: "CRLF file, LF edit: CRLF kept, also for added lines",
        files: &[("w.bat", "@echo off\r\necho a\r\necho b\r\n")],
        reply: "w.bat\n<<<<<<< SEARCH\necho a\n=======\necho a\necho a2\n>>>>>>> REPLACE\n",
        expect: Expect::Files(&[("w.bat", "@echo off\r\necho a\r\necho a2\r\necho b\r\n")]),
    },
    Case {
        name: "CRLF reply for an LF file: LF kept",
        files: &[("a.txt", "a\nb\n")],
        reply: "a.txt\r\n<<<<<<< SEARCH\r\nb\r\n=======\r\nc\r\n>>>>>>> REPLACE\r\n",
        expect: Expect::Files(&[("a.txt", "a\nc\n")]),
    },
    Case {
        name: "ambiguous search refused",
        files: &[("a.py", "x = 1\nprint(x)\nx = 1\n")],
        reply: "a.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n",
        expect: Expect::Refused(&["ambiguous"]),
    },
    Case {
        name: "search that is not in the file refused",
        files: &[("a.py", "def add(a, b):\n    return a + b\n")],
        reply: "a.py\n<<<<<<< SEARCH\ndef add(a, b):\n    return a - b\n=======\ndef add(a, b):\n    return b + a\n>>>>>>> REPLACE\n",
        expect: Expect::Refused(&["not_found"]),
    },
    Case {
        name: "out-of-order blocks applied in file order",
        files: &[("a.txt", "1\n2\n3\n4\n5\n")],
        reply: "a.txt\n<<<<<<< SEARCH\n4\n=======\nfour\n>>>>>>> REPLACE\n<<<<<<< SEARCH\n2\n=======\ntwo\n>>>>>>> REPLACE\n",
        expect: Expect::Files(&[("a.txt", "1\ntwo\n3\nfour\n5\n")]),
    },
    Case {
        name: "overlapping blocks refused",
        files: &[("a.txt", "1\n2\n3\n4\n")],
        reply: "a.txt\n<<<<<<< SEARCH\n1\n2\n3\n=======\nx\n>>>>>>> REPLACE\n<<<<<<< SEARCH\n3\n4\n=======\ny\n>>>>>>> REPLACE\n",
        expect: Expect::Refused(&["overlap"]),
    },
    Case {
        name: "new file from an empty search",
        files: &[("a.txt", "a\n")],
        reply: "tests/test_a.py\n```python\n<<<<<<< SEARCH\n=======\ndef test_a():\n    assert True\n>>>>>>> REPLACE\n```\n",
        expect: Expect::Files(&[("tests/test_a.py", "def test_a():\n    assert True\n")]),
    },
    Case {
        name: "non-empty search on a missing file refused",
        files: &[],
        reply: "nope.py\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n",
        expect: Expect::Refused(&["no_such_file"]),
    },
    Case {
        name: "empty search on a file with content refused",
        files: &[("a.py", "x = 1\n")],
        reply: "a.py\n<<<<<<< SEARCH\n=======\ny = 2\n>>>>>>> REPLACE\n",
        expect: Expect::Refused(&["empty_search"]),
    },
    Case {
        name: "Unicode content and path",
        files: &[("docs/café.md", "# Café ☕\n\nΓειά σου κόσμε\n日本語\n")],
        reply: "docs/café.md\n<<<<<<< SEARCH\nΓειά σου κόσμε\n=======\nΓειά σου, κόσμε 👋\n>>>>>>> REPLACE\n",
        expect: Expect::Files(&[("docs/café.md", "# Café ☕\n\nΓειά σου, κόσμε 👋\n日本語\n")]),
    },
    Case {
        name: "no final newline stays absent when the last line is edited",
        files: &[("a.txt", "a\nb")],
        reply: "a.txt\n<<<<<<< SEARCH\nb\n=======\nb\nc\n>>>>>>> REPLACE\n",
        expect: Expect::Files(&[("a.txt", "a\nb\nc")]),
    },
    Case {
        name: "UTF-8 BOM kept",
        files: &[("a.cs", "\u{feff}using System;\r\nclass A {}\r\n")],
        reply: "a.cs\n<<<<<<< SEARCH\nclass A {}\n=======\nclass B {}\n>>>>>>> REPLACE\n",
        expect: Expect::Files(&[("a.cs", "\u{feff}using System;\r\nclass B {}\r\n")]),
    },
    Case {
        name: "elision in REPLACE refused",
        files: &[("a.js", "function f() {\n  a();\n  b();\n}\n")],
        reply: "a.js\n<<<<<<< SEARCH\nfunction f() {\n  a();\n  b();\n}\n=======\nfunction f() {\n  // ... existing code ...\n  c();\n}\n>>>>>>> REPLACE\n",
        expect: Expect::Refused(&["elision"]),
    },
    Case {
        name: "hash elision in a whole file refused",
        files: &[("a.py", "import os\nx = 1\n")],
        reply: "a.py\n```python\nimport sys\n# ... rest unchanged ...\n```\n",
        expect: Expect::Refused(&["elision"]),
    },
    Case {
        name: "an elision-like comment already in the file is content",
        files: &[("a.c", "/* ... */\nint x;\n")],
        reply: "a.c\n<<<<<<< SEARCH\n/* ... */\nint x;\n=======\n/* ... */\nint y;\n>>>>>>> REPLACE\n",
        expect: Expect::Files(&[("a.c", "/* ... */\nint y;\n")]),
    },
    Case {
        name: "whole file with the path in the info string, CRLF kept",
        files: &[("cfg.ini", "[a]\r\nx=1\r\n")],
        reply: "Replace the config:\n```ini cfg.ini\n[a]\nx=2\n```\n",
        expect: Expect::Files(&[("cfg.ini", "[a]\r\nx=2\r\n")]),
    },
    Case {
        name: "several files, one failing: nothing applied",
        files: &[("a.txt", "a\n"), ("b.txt", "b\n")],
        reply: "a.txt\n<<<<<<< SEARCH\na\n=======\nA\n>>>>>>> REPLACE\n\nb.txt\n<<<<<<< SEARCH\nzzz\n=======\nB\n>>>>>>> REPLACE\n",
        expect: Expect::Refused(&["not_found"]),
    },
    Case {
        name: "every problem reported at once",
        files: &[("a.txt", "x\nx\n"), ("b.txt", "b\n")],
        reply: "a.txt\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n\nb.txt\n<<<<<<< SEARCH\nzzz\n=======\nB\n>>>>>>> REPLACE\n",
        expect: Expect::Refused(&["ambiguous", "not_found"]),
    },
    Case {
        name: "path escaping the project refused",
        files: &[],
        reply: "../../etc/passwd\n<<<<<<< SEARCH\n=======\nroot\n>>>>>>> REPLACE\n",
        expect: Expect::Refused(&["path"]),
    },
    Case {
        name: "block cut off refused",
        files: &[("a.txt", "a\n")],
        reply: "a.txt\n<<<<<<< SEARCH\na\n=======\nb\n",
        expect: Expect::Refused(&["malformed"]),
    },
    Case {
        name: "a reply with no edits refused",
        files: &[("a.txt", "a\n")],
        reply: "I think the code is fine as it is.\n```python\nprint('hi')\n```\n",
        expect: Expect::Refused(&["no_edits"]),
    },
    Case {
        name: "exact match wins over a whitespace-only match elsewhere",
        files: &[("a.py", "if a:\n    x = 1\nx = 1\n")],
        reply: "a.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n",
        expect: Expect::Files(&[("a.py", "if a:\n    x = 1\nx = 2\n")]),
    },
    Case {
        name: "ambiguous indentation-relative match refused",
        files: &[("a.py", "if a:\n    x = 1\nif b:\n        x = 1\n")],
        reply: "a.py\n<<<<<<< SEARCH\n  x = 1\n=======\n  x = 2\n>>>>>>> REPLACE\n",
        expect: Expect::Refused(&["ambiguous"]),
    },
    // --- Unified diffs written by the model ---
    Case {
        name: "git diff in a ```diff fence with prose around",
        files: &[("src/app.py", "import os\n\ndef greet():\n    return 'hi'\n")],
        reply: "Here is the patch:\n\n```diff\ndiff --git a/src/app.py b/src/app.py\nindex 3b18e51..a042389 100644\n--- a/src/app.py\n+++ b/src/app.py\n@@ -3,2 +3,2 @@ import os\n def greet():\n-    return 'hi'\n+    return 'hello'\n```\n\nThis changes the greeting.\n",
        expect: Expect::Files(&[(
            "src/app.py",
            "import os\n\ndef greet():\n    return 'hello'\n",
        )]),
    },
    Case {
        name: "plain diff, bare, wrong @@ line numbers and counts",
        files: &[("a.txt", "1\n2\n3\n4\n5\n6\n")],
        reply: "--- a.txt\n+++ a.txt\n@@ -40,9 +40,2 @@\n 4\n-5\n+five\n 6\n\nThat's all.\n",
        expect: Expect::Files(&[("a.txt", "1\n2\n3\n4\nfive\n6\n")]),
    },
    Case {
        name: "bare @@ header, context lines that lost their leading space, empty context line",
        files: &[("a.py", "def f():\n    x = 1\n\n    return x\n")],
        reply: "```diff\n--- a/a.py\n+++ b/a.py\n@@ ... @@\ndef f():\n     x = 1\n\n-    return x\n+    return x + 1\n```\n",
        expect: Expect::Files(&[("a.py", "def f():\n    x = 1\n\n    return x + 1\n")]),
    },
    Case {
        name: "a lone @@ line and a trailing blank line before the fence closes",
        files: &[("a.txt", "a\nb\nc\n")],
        reply: "```patch\n--- a/a.txt\n+++ b/a.txt\n@@\n a\n-b\n+B\n\n```\n",
        expect: Expect::Files(&[("a.txt", "a\nB\nc\n")]),
    },
    Case {
        name: "hunks without ---/+++ names, path on the line before the ```diff fence",
        files: &[("lib/x.rb", "def a\n  1\nend\n")],
        reply: "`lib/x.rb`:\n```diff\n@@ -1,3 +1,3 @@\n def a\n-  1\n+  2\n end\n```\n",
        expect: Expect::Files(&[("lib/x.rb", "def a\n  2\nend\n")]),
    },
    Case {
        name: "header line number breaks a tie it points at exactly",
        files: &[("a.py", "x = 1\ny = 1\n\nx = 1\ny = 1\n")],
        reply: "--- a/a.py\n+++ b/a.py\n@@ -4,2 +4,2 @@\n x = 1\n-y = 1\n+y = 2\n",
        expect: Expect::Files(&[("a.py", "x = 1\ny = 1\n\nx = 1\ny = 2\n")]),
    },
    Case {
        name: "header line number pointing at neither match: still ambiguous",
        files: &[("a.py", "x = 1\ny = 1\n\nx = 1\ny = 1\n")],
        reply: "--- a/a.py\n+++ b/a.py\n@@ -3,2 +3,2 @@\n x = 1\n-y = 1\n+y = 2\n",
        expect: Expect::Refused(&["ambiguous"]),
    },
    Case {
        name: "a removed line that differs from the file is refused",
        files: &[("a.py", "def add(a, b):\n    return a + b\n")],
        reply: "```diff\n--- a/a.py\n+++ b/a.py\n@@ -1,2 +1,2 @@\n def add(a, b):\n-    return a - b\n+    return b + a\n```\n",
        expect: Expect::Refused(&["not_found"]),
    },
    Case {
        name: "removed lines differing only in indentation style (tabs vs spaces) apply",
        files: &[("m.go", "func f() {\n\treturn 1\n}\n")],
        reply: "```diff\n--- a/m.go\n+++ b/m.go\n@@ -1,3 +1,3 @@\n func f() {\n-    return 1\n+    return 2\n }\n```\n",
        expect: Expect::Files(&[("m.go", "func f() {\n\treturn 2\n}\n")]),
    },
    Case {
        name: "CRLF file, LF diff: CRLF kept",
        files: &[("w.bat", "@echo off\r\necho a\r\n")],
        reply: "--- a/w.bat\n+++ b/w.bat\n@@ -1,2 +1,3 @@\n @echo off\n echo a\n+echo b\n",
        expect: Expect::Files(&[("w.bat", "@echo off\r\necho a\r\necho b\r\n")]),
    },
    Case {
        name: "new file from /dev/null, without a final newline",
        files: &[],
        reply: "```diff\ndiff --git a/tests/test_a.py b/tests/test_a.py\nnew file mode 100644\n--- /dev/null\n+++ b/tests/test_a.py\n@@ -0,0 +1,2 @@\n+def test_a():\n+    assert True\n\\ No newline at end of file\n```\n",
        expect: Expect::Files(&[("tests/test_a.py", "def test_a():\n    assert True")]),
    },
    Case {
        name: "new file that already exists refused",
        files: &[("a.py", "x = 1\n")],
        reply: "--- /dev/null\n+++ b/a.py\n@@ -0,0 +1 @@\n+x = 2\n",
        expect: Expect::Refused(&["file_exists"]),
    },
    Case {
        name: "deletion with deleted file mode and its hunk",
        files: &[("old.py", "x = 1\ny = 2\n"), ("keep.py", "k\n")],
        reply: "```diff\ndiff --git a/old.py b/old.py\ndeleted file mode 100644\nindex 1111111..0000000\n--- a/old.py\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-x = 1\n-y = 2\n```\n",
        expect: Expect::Files(&[("old.py", "<deleted>")]),
    },
    Case {
        name: "deletion without hunks",
        files: &[("old.py", "x = 1\n")],
        reply: "diff --git a/old.py b/old.py\ndeleted file mode 100644\n",
        expect: Expect::Files(&[("old.py", "<deleted>")]),
    },
    Case {
        name: "deleting a missing file refused",
        files: &[],
        reply: "--- a/nope.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n",
        expect: Expect::Refused(&["file_missing"]),
    },
    Case {
        name: "a deletion whose hunks leave lines refused",
        files: &[("old.py", "x = 1\ny = 2\nz = 3\n")],
        reply: "--- a/old.py\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-x = 1\n-y = 2\n",
        expect: Expect::Refused(&["delete_incomplete"]),
    },
    Case {
        name: "rename with rename from/to, no hunks",
        files: &[("src/old.rs", "fn a() {}\n")],
        reply: "```diff\ndiff --git a/src/old.rs b/src/new.rs\nsimilarity index 100%\nrename from src/old.rs\nrename to src/new.rs\n```\n",
        expect: Expect::Files(&[("src/new.rs", "fn a() {}\n")]),
    },
    Case {
        name: "rename by different ---/+++ paths, with a hunk",
        files: &[("a.py", "x = 1\ny = 2\n")],
        reply: "--- a/a.py\n+++ b/b.py\n@@ -1,2 +1,2 @@\n x = 1\n-y = 2\n+y = 3\n",
        expect: Expect::Files(&[("b.py", "x = 1\ny = 3\n")]),
    },
    Case {
        name: "rename onto an existing file refused",
        files: &[("a.py", "a\n"), ("b.py", "b\n")],
        reply: "diff --git a/a.py b/b.py\nrename from a.py\nrename to b.py\n",
        expect: Expect::Refused(&["file_exists"]),
    },
    Case {
        name: "rename of a missing file refused",
        files: &[],
        reply: "diff --git a/a.py b/b.py\nrename from a.py\nrename to b.py\n",
        expect: Expect::Refused(&["file_missing"]),
    },
    Case {
        name: "a renamed file's old path also edited refused",
        files: &[("a.py", "a\n")],
        reply: "diff --git a/a.py b/b.py\nrename from a.py\nrename to b.py\n\na.py\n<<<<<<< SEARCH\na\n=======\nA\n>>>>>>> REPLACE\n",
        expect: Expect::Refused(&["conflict"]),
    },
    Case {
        name: "several files in one diff, all applied",
        files: &[("a.txt", "a\n"), ("b.txt", "b\n")],
        reply: "```diff\n--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-a\n+A\n--- a/b.txt\n+++ b/b.txt\n@@ -1 +1 @@\n-b\n+B\n```\n",
        expect: Expect::Files(&[("a.txt", "A\n"), ("b.txt", "B\n")]),
    },
    Case {
        name: "several files in one diff, one failing: nothing applied",
        files: &[("a.txt", "a\n"), ("b.txt", "b\n")],
        reply: "diff --git a/a.txt b/a.txt\n--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-a\n+A\ndiff --git a/b.txt b/b.txt\n--- a/b.txt\n+++ b/b.txt\n@@ -1 +1 @@\n-zzz\n+B\n",
        expect: Expect::Refused(&["not_found"]),
    },
    Case {
        name: "a diff that makes the last line lose its final newline",
        files: &[("a.txt", "a\nb\n")],
        reply: "--- a/a.txt\n+++ b/a.txt\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n\\ No newline at end of file\n",
        expect: Expect::Files(&[("a.txt", "a\nc")]),
    },
    Case {
        name: "a binary patch refused",
        files: &[("i.png", "x")],
        reply: "diff --git a/i.png b/i.png\nindex 1..2 100644\nBinary files a/i.png and b/i.png differ\n",
        expect: Expect::Refused(&["malformed"]),
    },
    Case {
        name: "a diff path escaping the project refused",
        files: &[],
        reply: "--- /dev/null\n+++ b/../../etc/x\n@@ -0,0 +1 @@\n+x\n",
        expect: Expect::Refused(&["path"]),
    },
    // --- Elisions between exact anchors ---
    Case {
        name: "// ... existing code ... between exact anchors: the elided lines kept",
        files: &[("a.js", "function f() {\n  a();\n  b();\n  return 1;\n}\n")],
        reply: "a.js\n<<<<<<< SEARCH\nfunction f() {\n  // ... existing code ...\n  return 1;\n=======\nfunction f() {\n  // ... existing code ...\n  return 2;\n>>>>>>> REPLACE\n",
        expect: Expect::Files(&[("a.js", "function f() {\n  a();\n  b();\n  return 2;\n}\n")]),
    },
    Case {
        name: "# ... between exact anchors, CRLF file",
        files: &[(
            "a.py",
            "def f():\r\n    a = 1\r\n    b = 2\r\n    return x\r\n",
        )],
        reply: "a.py\n<<<<<<< SEARCH\ndef f():\n    # ...\n    return x\n=======\ndef f(y):\n    # ...\n    return y\n>>>>>>> REPLACE\n",
        expect: Expect::Files(&[(
            "a.py",
            "def f(y):\r\n    a = 1\r\n    b = 2\r\n    return y\r\n",
        )]),
    },
    Case {
        name: "# ... rest unchanged ... with two elisions",
        files: &[(
            "a.py",
            "import os\nimport re\n\nX = 1\n\ndef main():\n    run()\n",
        )],
        reply: "a.py\n<<<<<<< SEARCH\nimport os\n# ... rest unchanged ...\nX = 1\n# ... rest unchanged ...\n    run()\n=======\nimport os\n# ... rest unchanged ...\nX = 2\n# ... rest unchanged ...\n    run(X)\n>>>>>>> REPLACE\n",
        expect: Expect::Files(&[(
            "a.py",
            "import os\nimport re\n\nX = 2\n\ndef main():\n    run(X)\n",
        )]),
    },
    Case {
        name: "/* ... */ between exact anchors",
        files: &[("a.css", "body {\n  margin: 0;\n  color: red;\n}\n")],
        reply: "a.css\n<<<<<<< SEARCH\nbody {\n  /* ... */\n}\n=======\nbody {\n  /* ... */\n  padding: 0;\n}\n>>>>>>> REPLACE\n",
        expect: Expect::Files(&[(
            "a.css",
            "body {\n  margin: 0;\n  color: red;\n  padding: 0;\n}\n",
        )]),
    },
    Case {
        name: "<!-- ... --> between exact anchors",
        files: &[("i.html", "<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>\n")],
        reply: "i.html\n<<<<<<< SEARCH\n<ul>\n  <!-- ... -->\n</ul>\n=======\n<ul class=\"x\">\n  <!-- ... -->\n  <li>c</li>\n</ul>\n>>>>>>> REPLACE\n",
        expect: Expect::Files(&[(
            "i.html",
            "<ul class=\"x\">\n  <li>a</li>\n  <li>b</li>\n  <li>c</li>\n</ul>\n",
        )]),
    },
    Case {
        name: "-- ... in SQL between exact anchors",
        files: &[("q.sql", "SELECT\n  a,\n  b\nFROM t;\n")],
        reply: "q.sql\n<<<<<<< SEARCH\nSELECT\n-- ...\nFROM t;\n=======\nSELECT\n-- ...\nFROM t2;\n>>>>>>> REPLACE\n",
        expect: Expect::Files(&[("q.sql", "SELECT\n  a,\n  b\nFROM t2;\n")]),
    },
    Case {
        name: "an elision as a diff's context line, between exact anchors",
        files: &[("a.py", "def f():\n    a = 1\n    return a\n")],
        reply: "```diff\n--- a/a.py\n+++ b/a.py\n@@\n def f():\n     # ...\n-    return a\n+    return a + 1\n```\n",
        expect: Expect::Files(&[("a.py", "def f():\n    a = 1\n    return a + 1\n")]),
    },
    Case {
        name: "elision at the SEARCH's edge refused (what it stands for is open-ended)",
        files: &[("a.py", "def f():\n    a = 1\n    return a\n")],
        reply: "a.py\n<<<<<<< SEARCH\ndef f():\n    # ...\n=======\ndef g():\n    # ...\n>>>>>>> REPLACE\n",
        expect: Expect::Refused(&["elision"]),
    },
    Case {
        name: "elision in SEARCH but not in REPLACE refused (would delete unseen lines)",
        files: &[("a.py", "def f():\n    a = 1\n    return a\n")],
        reply: "a.py\n<<<<<<< SEARCH\ndef f():\n    # ...\n    return a\n=======\ndef f():\n    return 0\n>>>>>>> REPLACE\n",
        expect: Expect::Refused(&["elision"]),
    },
    Case {
        name: "a different elision in SEARCH and REPLACE refused",
        files: &[("a.py", "def f():\n    a = 1\n    return a\n")],
        reply: "a.py\n<<<<<<< SEARCH\ndef f():\n    # ...\n    return a\n=======\ndef f():\n    # ... existing code ...\n    return b\n>>>>>>> REPLACE\n",
        expect: Expect::Refused(&["elision"]),
    },
    Case {
        name: "elision whose closing anchor matches twice: ambiguous",
        files: &[(
            "a.py",
            "def f():\n    a = 1\n    return a\n\ndef g():\n    return a\n",
        )],
        reply: "a.py\n<<<<<<< SEARCH\ndef f():\n    # ...\n    return a\n=======\ndef f():\n    # ...\n    return b\n>>>>>>> REPLACE\n",
        expect: Expect::Refused(&["ambiguous"]),
    },
    Case {
        name: "elision whose anchor matches only ignoring whitespace: not found",
        files: &[("a.py", "def f():  \n    a = 1\n    return a\n")],
        reply: "a.py\n<<<<<<< SEARCH\ndef f():\n    # ...\n    return a\n=======\ndef f():\n    # ...\n    return b\n>>>>>>> REPLACE\n",
        expect: Expect::Refused(&["not_found"]),
    },
];

fn tree(files: &[(&str, &str)]) -> Tree {
    files.iter().copied().collect()
}

#[test]
fn the_table_of_model_mistakes() {
    let mut failures = Vec::new();
    for case in CASES {
        let before = tree(case.files);
        let result = apply(&before, case.reply);
        let ok = match (&case.expect, &result) {
            (Expect::Files(expected), Ok(changes)) => {
                let got: Vec<(&str, &str)> = changes
                    .files
                    .iter()
                    .map(|(p, c)| (p.as_str(), c.content().unwrap_or("<deleted>")))
                    .collect();
                got == *expected
            }
            (Expect::Refused(kinds), Err(refusal)) => {
                let got: Vec<&str> = refusal.errors.iter().map(Error::kind).collect();
                got == *kinds
            }
            _ => false,
        };
        if !ok {
            failures.push(format!("{}: got {result:#?}", case.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn ambiguous_names_every_candidate_line() {
    let before = tree(&[("a.py", "x = 1\nprint(x)\nx = 1\n")]);
    let refusal = apply(&before, &block("a.py", "x = 1\n", "x = 2\n")).unwrap_err();
    assert!(
        matches!(&refusal.errors[..], [Error::Ambiguous { lines, block, .. }] if *lines == [1, 3] && block.index == 1 && block.line == 3),
        "{refusal:?}"
    );
    let text = refusal.to_string();
    assert!(
        text.contains("lines 1, 3") && text.contains("`a.py`"),
        "{text}"
    );
}

#[test]
fn not_found_shows_the_closest_lines() {
    let file =
        "import os\n\ndef add(a, b):\n    return a + b\n\ndef sub(a, b):\n    return a - b\n";
    let before = tree(&[("m.py", file)]);
    let refusal = apply(
        &before,
        &block("m.py", "def add(a, b):\n    return a * b\n", "x\n"),
    )
    .unwrap_err();
    let [
        Error::NotFound {
            closest: Some(closest),
            ..
        },
    ] = &refusal.errors[..]
    else {
        panic!("{refusal:?}");
    };
    assert_eq!(closest.start, 3);
    assert_eq!(closest.lines, ["def add(a, b):", "    return a + b"]);
    assert!(
        closest.percent >= 80 && closest.percent < 100,
        "{}",
        closest.percent
    );
    let text = refusal.to_string();
    assert!(text.contains("     3 | def add(a, b):"), "{text}");
}

#[test]
fn overlap_names_both_blocks_and_their_lines() {
    let before = tree(&[("a.txt", "1\n2\n3\n4\n")]);
    let reply = format!(
        "{}{}",
        block("a.txt", "3\n4\n", "y\n"),
        block("a.txt", "1\n2\n3\n", "x\n")
    );
    let refusal = apply(&before, &reply).unwrap_err();
    assert!(
        matches!(&refusal.errors[..], [Error::Overlap { first, first_lines: (1, 3), second, second_lines: (3, 4), .. }] if first.index == 2 && second.index == 1),
        "{refusal:?}"
    );
}

#[test]
fn a_long_file_edited_near_its_end() {
    let mut file: String = (1..=1200).map(|i| format!("    line_{i}();\n")).collect();
    let before = tree(&[("big.rs", &file)]);
    let reply = block(
        "big.rs",
        "    line_1198();\n    line_1199();\n",
        "    line_1198();\n    changed();\n",
    );
    let changes = apply(&before, &reply).expect("applies");
    file = file.replace("    line_1199();\n", "    changed();\n");
    assert_eq!(changes.files["big.rs"], Change::Modified(file));
}

#[test]
fn several_blocks_inherit_the_path_and_several_files_change() {
    let before = tree(&[("a.txt", "1\n2\n"), ("b.txt", "b\n")]);
    let reply = "a.txt\n```\n<<<<<<< SEARCH\n1\n=======\none\n>>>>>>> REPLACE\n\n<<<<<<< SEARCH\n2\n=======\ntwo\n>>>>>>> REPLACE\n```\n\nNow b:\n\n`b.txt`:\n```\n<<<<<<< SEARCH\nb\n=======\nB\n>>>>>>> REPLACE\n```\n";
    let mut after = before.clone();
    after.apply(&apply(&before, reply).expect("applies"));
    assert_eq!(after.get("a.txt"), Some("one\ntwo\n"));
    assert_eq!(after.get("b.txt"), Some("B\n"));
}

#[test]
fn refusal_text_says_nothing_was_applied() {
    let refusal = apply(&Tree::new(), "no edits here").unwrap_err();
    assert!(
        refusal
            .to_string()
            .starts_with("the edit was not applied (no file changed)")
    );
}
