//! Model-like replies for benchmarks (this crate's and the server's): what a model writes for
//! a 20-file project, and a reply of any size.

/// A React component of about 3 kB: state, an effect, a list, and helper functions.
fn component(name: &str) -> String {
    let helpers: String = (0..16)
        .map(|i| {
            format!(
                "\nexport function sortBy{i}(items, key = 'name') {{\n  return [...items].sort((a, b) => (a[key] > b[key] ? 1 : -1)).slice(0, {i} + 10);\n}}\n"
            )
        })
        .collect();
    helpers
        + &format!(
            "import {{ useState, useEffect }} from 'react';\nimport axios from 'axios';\nimport './{name}.css';\n\n\
         export default function {name}({{ items = [], onSelect }}) {{\n  const [query, setQuery] = useState('');\n\
         const [data, setData] = useState([]);\n  useEffect(() => {{\n    axios.get(`/api/{name}?q=${{query}}`).then((r) => setData(r.data));\n\
         }}, [query]);\n  const shown = data.filter((d) => d.name.toLowerCase().includes(query.toLowerCase()));\n\
         return (\n    <section className=\"{name}\">\n      <input value={{query}} onChange={{(e) => setQuery(e.target.value)}} />\n\
             <ul>\n        {{shown.map((d) => (\n          <li key={{d.id}} onClick={{() => onSelect?.(d)}}>{{d.name}} — {{d.price}}</li>\n\
             ))}}\n      </ul>\n    </section>\n  );\n}}\n"
        )
}

/// A reply like a model's for "a React + Vite shop with an Express API": prose, 20 named
/// files (JSX, CSS, JSON, HTML, JS, a README with a nested fence), shell commands.
pub fn project_reply() -> String {
    let mut reply = String::from("Here is the complete project.\n\n");
    let mut add = |path: &str, fence_language: &str, content: &str| {
        reply.push_str(&format!(
            "**{path}**\n```{fence_language}\n{content}```\n\n"
        ));
    };
    add(
        "package.json",
        "json",
        "{\n  \"name\": \"shop\",\n  \"private\": true,\n  \"scripts\": {\"dev\": \"vite\", \"build\": \"vite build\"},\n  \"dependencies\": {\"react\": \"^18.3.0\", \"react-dom\": \"^18.3.0\"},\n  \"devDependencies\": {\"vite\": \"^5.4.0\", \"@vitejs/plugin-react\": \"^4.3.0\"}\n}\n",
    );
    add(
        "vite.config.js",
        "js",
        "import { defineConfig } from 'vite';\nimport react from '@vitejs/plugin-react';\n\nexport default defineConfig({ plugins: [react()], server: { proxy: { '/api': 'http://localhost:3001' } } });\n",
    );
    add(
        "index.html",
        "html",
        "<!doctype html>\n<html lang=\"en\">\n  <head><meta charset=\"UTF-8\" /><title>Shop</title></head>\n  <body><div id=\"root\"></div><script type=\"module\" src=\"/src/main.jsx\"></script></body>\n</html>\n",
    );
    add(
        "src/main.jsx",
        "jsx",
        "import React from 'react';\nimport { createRoot } from 'react-dom/client';\nimport App from './App';\n\ncreateRoot(document.getElementById('root')).render(<React.StrictMode><App /></React.StrictMode>);\n",
    );
    add(
        "src/App.jsx",
        "jsx",
        "import { BrowserRouter, Routes, Route } from 'react-router-dom';\nimport Products from './components/Products';\nimport Cart from './components/Cart';\n\nexport default function App() {\n  return (\n    <BrowserRouter>\n      <Routes>\n        <Route path=\"/\" element={<Products />} />\n        <Route path=\"/cart\" element={<Cart />} />\n      </Routes>\n    </BrowserRouter>\n  );\n}\n",
    );
    for name in ["Products", "Cart", "Header", "Footer", "Search", "Checkout"] {
        add(
            &format!("src/components/{name}.jsx"),
            "jsx",
            &component(name),
        );
        add(
            &format!("src/components/{name}.css"),
            "css",
            &format!(".{name} {{ padding: 1rem; }}\n.{name} li:hover {{ background: #eee; }}\n"),
        );
    }
    add(
        "server/index.js",
        "js",
        "const express = require('express');\nconst cors = require('cors');\nconst products = require('./products.json');\n\nconst app = express();\napp.use(cors());\napp.use(express.json());\napp.get('/api/Products', (req, res) => {\n  const q = (req.query.q || '').toLowerCase();\n  res.json(products.filter((p) => p.name.toLowerCase().includes(q)));\n});\napp.listen(3001, () => console.log('API on 3001'));\n",
    );
    add(
        "server/products.json",
        "json",
        "[\n  {\"id\": 1, \"name\": \"Kettle\", \"price\": 30},\n  {\"id\": 2, \"name\": \"Teapot\", \"price\": 25}\n]\n",
    );
    reply.push_str("**README.md**\n````markdown\n# Shop\n\n```bash\nnpm install\nnpm run dev\n```\n````\n\nRun it:\n\n```bash\nnpm install && npm run dev\n```\n");
    reply
}

/// A Markdown reply of at least `size` bytes: ~400 files of about 4 kB and 0.1 kB, JSX and Python.
pub fn big_reply(size: usize) -> String {
    let body = component("Widget");
    let python = "import os\n\ndef main():\n    for name in os.listdir('.'):\n        print(name.upper())\n\nif __name__ == '__main__':\n    main()\n";
    let mut reply = String::with_capacity(size + 4096);
    let mut index = 0;
    while reply.len() < size {
        reply.push_str(&format!(
            "Next, the widget number {index}:\n\n**src/w{index}/Widget.jsx**\n```jsx\n{body}```\n\n"
        ));
        reply.push_str(&format!(
            "### `tools/t{index}.py`\n\n```python\n{python}```\n\n"
        ));
        index += 1;
    }
    reply
}
