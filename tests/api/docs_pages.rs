//! The product documents itself: the README stays a short front door that links every page of
//! `docs/`; `docs/api.md` names every operation and error code of the OpenAPI document,
//! `docs/operations.md` every configuration variable, `docs/architecture.md` every Rust module;
//! and nothing in the repository cites a file outside it.

use crate::helpers::spawn_app;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every file under `dir` whose name ends with one of `endings`.
fn files(dir: &Path, endings: &[&str], found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            if !["node_modules", "target", "venv", "results", "test-results"]
                .contains(&name.as_str())
            {
                files(&path, endings, found);
            }
        } else if endings.iter().any(|e| name.ends_with(e)) {
            found.push(path);
        }
    }
}

#[test]
fn the_readme_is_short_names_both_commands_and_links_every_docs_page() {
    let readme = read("README.md");
    let lines = readme.lines().count();
    assert!(lines <= 200, "README.md has {lines} lines");
    assert!(readme.contains("make run") && readme.contains("make test"));
    for page in [
        "api",
        "operations",
        "security",
        "architecture",
        "testing",
        "performance",
    ] {
        let path = format!("docs/{page}.md");
        assert!(root().join(&path).is_file(), "{path}");
        assert!(
            readme.contains(&format!("]({path})")),
            "README links {path}"
        );
    }
}

#[test]
fn nothing_in_the_repository_cites_a_file_outside_it() {
    let mut found = Vec::new();
    for dir in [
        "app", "src", "frontend", "tests", "end2end", "scripts", "docs", "examples", "bench",
    ] {
        files(
            &root().join(dir),
            &[".rs", ".ts", ".md", ".sh", ".py", ".toml", ".json"],
            &mut found,
        );
    }
    found.push(root().join("README.md"));
    found.push(root().join("Makefile"));
    for path in found {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        // Written in pieces, so that this file does not cite them itself.
        let outside_files = [
            concat!("..", "/shared"),
            concat!("CONTRACT", ".md"),
            concat!("CONTRACT", " §"),
        ];
        for outside in outside_files {
            assert!(
                !text.contains(outside),
                "{} cites {outside}",
                path.display()
            );
        }
    }
}

#[tokio::test]
async fn docs_api_md_names_every_operation_and_error_code_of_the_document() {
    let app = spawn_app().await;
    let document: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    let api = read("docs/api.md");
    let mut missing = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let row = format!("`{} {path}", method.to_uppercase());
            if !api.contains(&row) {
                missing.push(row);
            }
        }
    }
    let codes = document["components"]["schemas"]["ErrorCode"]["enum"]
        .as_array()
        .expect("the error codes");
    assert!(codes.len() >= 14);
    for code in codes {
        let code = format!("| `{}` |", code.as_str().unwrap());
        if !api.contains(&code) {
            missing.push(code);
        }
    }
    assert!(missing.is_empty(), "docs/api.md lacks {missing:?}");
}

#[test]
fn docs_operations_md_names_every_configuration_variable() {
    let operations = read("docs/operations.md");
    for variable in app::backend::config::VARIABLES {
        assert!(
            operations.contains(&format!("| `{variable}` |")),
            "docs/operations.md lacks {variable}"
        );
    }
}

#[test]
fn docs_architecture_md_shows_the_module_tree_as_it_stands() {
    let architecture = read("docs/architecture.md");
    let mut found = Vec::new();
    for dir in ["src", "app/src"] {
        files(&root().join(dir), &[".rs"], &mut found);
    }
    let tree = architecture
        .split("## The module tree")
        .nth(1)
        .expect("a module tree");
    for path in found {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let parent = path
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        // Each file stands under its folder: the folder's line, then (later) the file's.
        let folder_at = tree
            .find(&format!(" {parent}/"))
            .or_else(|| tree.find(&format!("{parent}/\n")));
        let listed = folder_at.is_some_and(|at| {
            tree[at..]
                .lines()
                .any(|line| line.trim_start_matches(['│', '├', '└', '─', ' ']) == name)
        });
        assert!(
            listed,
            "docs/architecture.md's module tree lacks {}",
            path.display()
        );
    }
}
