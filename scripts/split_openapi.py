#!/usr/bin/env python3
"""One-off: split Kiln's single OpenAPI document into one document per surface.

Reads the raw string literal in Sources/KilnHTTP/Controllers/OpenAPIDocument.swift and writes

  Sources/KilnHTTP/OpenAPI/NativeOpenAPI.swift   the native document: /health, /ready, /metrics,
                                                 /openapi.json, every /v1/... path and anything
                                                 else not below; top-level openapi, info,
                                                 servers, security, securitySchemes, and every
                                                 component used by a native path or by more
                                                 than one surface
  Sources/Apps/CTRHTTP/CTROpenAPI.swift          the CTR app's fragment: /api/... paths
  Sources/Apps/ImagingHTTP/ImagingOpenAPI.swift  the imaging app's fragment: /predict/... paths

An app fragment holds `paths`, its `tags` entries and the components (schemas, responses,
parameters, ...) that only its own paths use, following `$ref`s transitively. The server merges
the fragments into the native document at start (`OpenAPIMerge`).

Before writing anything the script checks that merging the three fragments (union of paths, tags
and every components section; a key defined twice is an error) gives back the original document,
apart from the rewritten info.description and the new top-level `tags` (compared by name with the
tags the original's operations use), and that no `$ref` dangles after the merge.

Usage: python3 scripts/split_openapi.py [--check]   (--check: verify only, write nothing)
"""

import copy
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "Sources/KilnHTTP/Controllers/OpenAPIDocument.swift"
NATIVE_OUT = ROOT / "Sources/KilnHTTP/OpenAPI/NativeOpenAPI.swift"
CTR_OUT = ROOT / "Sources/Apps/CTRHTTP/CTROpenAPI.swift"
IMAGING_OUT = ROOT / "Sources/Apps/ImagingHTTP/ImagingOpenAPI.swift"

NATIVE, CTR, IMAGING = "native", "ctr", "imaging"
APPS = (CTR, IMAGING)

# info.description without the sentence on the CTR app's routes and without the CTR app's
# WebSockets: the app fragments describe their own routes in their tag's description.
NATIVE_DESCRIPTION = (
    "Kiln's own endpoints. Every endpoint except /health, /ready and /metrics requires "
    "`Authorization: Bearer <API key or JWT>`. Errors share one shape (components.schemas.Error). "
    "The Open Inference Protocol surface (/v2) follows KServe V2 and Triton's extensions and is "
    "documented in the README; it uses the error shape {\"error\": \"message\"}. The "
    "MLflow-compatible surface (/api/2.0/mlflow, /api/2.0/mlflow-artifacts) follows MLflow's REST "
    "API and is documented in the README. Each installed app adds its routes under its own tag, "
    "described there. WebSockets (not modelled here): /ws/jobs/{id} (job events)."
)

TAG_DESCRIPTIONS = {
    "CTR app": (
        "The CTR app's routes (/api/upload, /api/train, …). They require the bearer token like "
        "every native endpoint and use the native error shape (components.schemas.Error). "
        "WebSockets (not modelled here): /ws/training/{run_id} (CTR training: state, "
        "epoch_update, log, training_complete|training_failed), /ws/performance?run_id= (CTR: "
        "metrics_update, system_health, performance_alert)."
    ),
    "Imaging app": (
        "The imaging app's routes (/predict/...: CT classification, biomarker prediction, MRI "
        "segmentation and clinician review). They require the bearer token like every native "
        "endpoint and use the native error shape (components.schemas.Error)."
    ),
}

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


class SplitError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# Reading

def read_document(path):
    text = path.read_text(encoding="utf-8")
    start = text.index('#"""') + len('#"""')
    end = text.rindex('"""#')
    raw = text[start:end]
    return json.loads(raw), raw


def surface_of(path):
    if path.startswith("/api/2.0/") or path == "/api/2.0":
        raise SplitError(f"{path}: the MLflow surface is not modelled in this document; "
                         "it should not be here")
    if path.startswith("/api/") or path == "/api":
        return CTR
    if path.startswith("/predict/") or path == "/predict":
        return IMAGING
    return NATIVE


# ---------------------------------------------------------------------------------------------
# References

def refs_in(node):
    """Every `$ref` string inside `node`."""
    found = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key == "$ref" and isinstance(value, str):
                    found.append(value)
                else:
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return found


def component_key(ref):
    """`#/components/schemas/Error` -> ("schemas", "Error")."""
    parts = ref.split("/")
    if len(parts) < 4 or parts[0] != "#" or parts[1] != "components":
        raise SplitError(f"unsupported $ref {ref!r}: only #/components/<section>/<name> is split")
    name = parts[3].replace("~1", "/").replace("~0", "~")
    return parts[2], name


def closure(roots, components):
    """Component keys reachable from the `$ref`s in `roots`, transitively."""
    seen = set()
    pending = [component_key(ref) for root in roots for ref in refs_in(root)]
    while pending:
        key = pending.pop()
        if key in seen:
            continue
        seen.add(key)
        section, name = key
        target = components.get(section, {}).get(name)
        if target is None:
            raise SplitError(f"dangling $ref in the original: #/components/{section}/{name}")
        pending.extend(component_key(ref) for ref in refs_in(target))
    return seen


def resolve_pointer(document, ref):
    if not ref.startswith("#/"):
        raise SplitError(f"external $ref {ref!r}")
    node = document
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def dangling_refs(document):
    return sorted({ref for ref in refs_in(document) if resolve_pointer(document, ref) is None})


def operation_tags(paths):
    tags = []
    for item in paths.values():
        for method, operation in item.items():
            if method in HTTP_METHODS and isinstance(operation, dict):
                for tag in operation.get("tags", []):
                    if tag not in tags:
                        tags.append(tag)
    return tags


# ---------------------------------------------------------------------------------------------
# Splitting

def split(original):
    allowed_top = {"openapi", "info", "servers", "security", "paths", "components", "tags",
                   "externalDocs", "jsonSchemaDialect", "webhooks"}
    unknown = set(original) - allowed_top
    if unknown:
        raise SplitError(f"unexpected top-level keys {sorted(unknown)}")
    if original.get("webhooks"):
        raise SplitError("webhooks are not split by this script")

    components = original.get("components", {})
    paths_by_surface = {NATIVE: {}, CTR: {}, IMAGING: {}}
    for path, item in original["paths"].items():
        paths_by_surface[surface_of(path)][path] = item

    # Which surfaces use each component (securitySchemes are named by `security`, not `$ref`,
    # and stay native).
    users = {}
    for surface, paths in paths_by_surface.items():
        for key in closure(paths.values(), components):
            users.setdefault(key, set()).add(surface)

    owner = {}
    for section, entries in components.items():
        for name in entries:
            key = (section, name)
            used_by = users.get(key, set())
            if section != "securitySchemes" and len(used_by) == 1 and next(iter(used_by)) in APPS:
                owner[key] = next(iter(used_by))
            else:
                owner[key] = NATIVE  # native, shared, unused, or a security scheme

    # A component kept native (e.g. unused) must not depend on one moved to an app, or the
    # native document would dangle without that app: pull such dependencies back to native.
    changed = True
    while changed:
        changed = False
        native_roots = [components[s][n] for (s, n), o in owner.items() if o == NATIVE]
        for key in closure(native_roots, components):
            if owner[key] != NATIVE:
                owner[key] = NATIVE
                changed = True

    def components_of(surface):
        result = {}
        for section, entries in components.items():
            kept = {name: value for name, value in entries.items() if owner[(section, name)] == surface}
            if kept:
                result[section] = kept
        return result

    native = {}
    for key, value in original.items():
        if key == "paths":
            native["paths"] = paths_by_surface[NATIVE]
        elif key == "components":
            native["components"] = components_of(NATIVE)
        else:
            native[key] = copy.deepcopy(value)
    native["info"]["description"] = NATIVE_DESCRIPTION

    original_tags = {tag["name"]: tag for tag in original.get("tags", [])}
    native_tag_names = [name for name in original_tags
                        if name not in operation_tags(paths_by_surface[CTR])
                        and name not in operation_tags(paths_by_surface[IMAGING])]
    if native_tag_names:
        native["tags"] = [original_tags[name] for name in native_tag_names]
    else:
        native.pop("tags", None)

    fragments = {}
    for app in APPS:
        tags = []
        for name in operation_tags(paths_by_surface[app]):
            if name in native_tag_names:
                continue
            entry = dict(original_tags.get(name, {"name": name}))
            if name in TAG_DESCRIPTIONS:
                entry["description"] = TAG_DESCRIPTIONS[name]
            tags.append(entry)
        fragment = {"paths": paths_by_surface[app]}
        if tags:
            fragment["tags"] = tags
        app_components = components_of(app)
        if app_components:
            fragment["components"] = app_components
        fragments[app] = fragment

    moved = {app: sorted(f"{s}/{n}" for (s, n), o in owner.items() if o == app) for app in APPS}
    shared = sorted(f"{s}/{n}" for (s, n), o in owner.items()
                    if o == NATIVE and len(users.get((s, n), set())) > 1)
    unused = sorted(f"{s}/{n}" for (s, n), o in owner.items()
                    if s != "securitySchemes" and not users.get((s, n)))
    report = {"moved": moved, "shared": shared, "unused": unused, "users": users}
    return native, fragments, report


# ---------------------------------------------------------------------------------------------
# Merging (the same rules as OpenAPIMerge.swift)

def merge(base, fragments):
    merged = copy.deepcopy(base)
    sources = {"paths": {path: "native" for path in merged.get("paths", {})},
               "tags": {tag["name"]: "native" for tag in merged.get("tags", [])}}
    for section, entries in merged.get("components", {}).items():
        sources[section] = {name: "native" for name in entries}
    for source, fragment in fragments:
        extra = set(fragment) - {"paths", "tags", "components"}
        if extra:
            raise SplitError(f"{source}: a fragment holds only paths, tags and components, "
                             f"not {sorted(extra)}")
        for path, item in fragment.get("paths", {}).items():
            if path in sources["paths"]:
                raise SplitError(f"path {path} is defined by {sources['paths'][path]} and {source}")
            sources["paths"][path] = source
            merged.setdefault("paths", {})[path] = copy.deepcopy(item)
        for tag in fragment.get("tags", []):
            name = tag["name"]
            if name in sources["tags"]:
                raise SplitError(f"tag {name} is defined by {sources['tags'][name]} and {source}")
            sources["tags"][name] = source
            merged.setdefault("tags", []).append(copy.deepcopy(tag))
        for section, entries in fragment.get("components", {}).items():
            known = sources.setdefault(section, {})
            target = merged.setdefault("components", {}).setdefault(section, {})
            for name, value in entries.items():
                if name in known:
                    raise SplitError(f"components.{section}.{name} is defined by {known[name]} "
                                     f"and {source}")
                known[name] = source
                target[name] = copy.deepcopy(value)
    return merged


def verify(original, native, fragments):
    merged = merge(native, [(CTR, fragments[CTR]), (IMAGING, fragments[IMAGING])])
    problems = []

    dangling = dangling_refs(merged)
    if dangling:
        problems.append(f"dangling $refs after merging: {dangling}")
    native_dangling = dangling_refs(native)
    if native_dangling:
        problems.append(f"the native document alone has dangling $refs: {native_dangling}")
    for app in APPS:
        alone = merge(native, [(app, fragments[app])])
        app_dangling = dangling_refs(alone)
        if app_dangling:
            problems.append(f"native + {app} alone has dangling $refs: {app_dangling}")

    expected_tags = {tag["name"] for tag in original.get("tags", [])} or set(operation_tags(original["paths"]))
    merged_tags = {tag["name"] for tag in merged.get("tags", [])}
    if merged_tags != expected_tags:
        problems.append(f"tags differ: merged {sorted(merged_tags)}, original {sorted(expected_tags)}")

    comparable = copy.deepcopy(merged)
    comparable.pop("tags", None)
    comparable["info"]["description"] = original["info"]["description"]
    reference = copy.deepcopy(original)
    reference.pop("tags", None)
    if comparable != reference:
        for key in sorted(set(comparable) | set(reference)):
            if comparable.get(key) != reference.get(key):
                problems.append(f"merged document differs from the original at top-level key {key!r}")
    if merged["info"]["description"] == original["info"]["description"]:
        problems.append("info.description was not rewritten")
    if "CTR app" in merged["info"]["description"]:
        problems.append("info.description still mentions the CTR app")

    undeclared = {}
    declared = merged_tags
    for surface, document in ((NATIVE, native), (CTR, fragments[CTR]), (IMAGING, fragments[IMAGING])):
        own = {tag["name"] for tag in document.get("tags", [])}
        foreign = [t for t in operation_tags(document["paths"]) if t not in own]
        if foreign:
            undeclared[surface] = foreign
        missing = [t for t in operation_tags(document["paths"]) if t not in declared]
        if missing:
            problems.append(f"{surface}: operations use tags no fragment declares: {missing}")
    return merged, problems, undeclared


# ---------------------------------------------------------------------------------------------
# Writing

def pretty(document):
    return json.dumps(document, indent=1, ensure_ascii=False)


def swift_file(doc_comment, type_name, member, document):
    body = pretty(document)
    if '"""#' in body or "\\#" in body:
        raise SplitError(f"{type_name}: the JSON holds a sequence that ends or interpolates a "
                         "#\"\"\" raw string")
    comment = "\n".join(f"/// {line}" if line else "///" for line in doc_comment)
    return f'{comment}\nenum {type_name} {{\n    static let {member} = #"""\n{body}\n"""#\n}}\n'


NATIVE_COMMENT = [
    "The OpenAPI 3.1 description of Kiln's native endpoints (/health, /ready, /metrics,",
    "/openapi.json, /v1/...), with the top-level fields, the security scheme and every",
    "component used by a native path or by more than one surface. `/openapi.json` serves it",
    "with the installed apps' fragments merged in (`OpenAPIMerge`).",
    "Kept true by the schemathesis run in `system-tests/test_openapi.py`: update it with every endpoint.",
]
CTR_COMMENT = [
    "The CTR app's fragment of the OpenAPI document: its /api/... paths, its tag (\"CTR app\")",
    "and the components only those paths use. Merged into the native document",
    "(`NativeOpenAPI`) at server start by `OpenAPIMerge`; `$ref`s to shared components",
    "(`Error`, the standard error responses) resolve there.",
    "Kept true by the schemathesis run in `system-tests/test_openapi.py`: update it with every endpoint.",
]
IMAGING_COMMENT = [
    "The imaging app's fragment of the OpenAPI document: its /predict/... paths, its tag",
    "(\"Imaging app\") and the components only those paths use. Merged into the native",
    "document (`NativeOpenAPI`) at server start by `OpenAPIMerge`; `$ref`s to shared components",
    "(`Error`, `Review`, the standard error responses) resolve there.",
    "Kept true by the schemathesis run in `system-tests/test_openapi.py`: update it with every endpoint.",
]


def main(argv):
    check_only = "--check" in argv[1:]
    original, raw = read_document(SOURCE)
    if "\n" + pretty(original) + "\n" != raw:
        print("note: the original literal is not exactly json.dumps(indent=1) output; "
              "the fragments are re-printed in that style")

    native, fragments, report = split(original)
    merged, problems, undeclared = verify(original, native, fragments)

    print(f"original: {len(original['paths'])} paths, "
          f"{sum(len(v) for k, v in original.get('components', {}).items())} components")
    for name, document in ((NATIVE, native), (CTR, fragments[CTR]), (IMAGING, fragments[IMAGING])):
        sections = ", ".join(f"{len(v)} {k}" for k, v in document.get("components", {}).items()) or "no components"
        tags = [tag["name"] for tag in document.get("tags", [])]
        print(f"  {name:8} {len(document['paths']):3} paths, {sections}; tags {tags}")
    print(f"merged:   {len(merged['paths'])} paths")
    for app in APPS:
        print(f"moved to {app}: {', '.join(report['moved'][app]) or '(none)'}")
    print(f"shared, kept native: {', '.join(report['shared'])}")
    print(f"unused by any path, kept native: {', '.join(report['unused']) or '(none)'}")
    for surface, tags in undeclared.items():
        print(f"note: {surface} operations use tags declared by another fragment: {tags}")

    if problems:
        print("verification FAILED:")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    print("verification OK: merged fragments equal the original (info.description rewritten, "
          "tags equal by name), no dangling $ref (merged, native alone, native + each app alone)")

    if check_only:
        return 0
    outputs = (
        (NATIVE_OUT, swift_file(NATIVE_COMMENT, "NativeOpenAPI", "document", native)),
        (CTR_OUT, swift_file(CTR_COMMENT, "CTROpenAPI", "fragment", fragments[CTR])),
        (IMAGING_OUT, swift_file(IMAGING_COMMENT, "ImagingOpenAPI", "fragment", fragments[IMAGING])),
    )
    for path, text in outputs:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)} ({text.count(chr(10))} lines)")

    # Read back what was written: the literals must parse and merge to the same document.
    written = [read_document(path)[0] for path, _ in outputs]
    if merge(written[0], [(CTR, written[1]), (IMAGING, written[2])]) != merged:
        print("read-back FAILED: the written files do not merge to the verified document")
        return 1
    print("read-back OK")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except SplitError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)
