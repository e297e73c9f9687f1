"""The API's documentation page, `/docs`: Swagger UI 5 (which reads the OpenAPI 3.1 the app
describes itself in), its script and styles served from the installed `fastapi-swagger`
package rather than a CDN, so that it works offline."""

from importlib import resources

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs/assets"
# Only the package's copy of Swagger UI's distribution is used, not its app patching.
SWAGGER_UI = resources.files("fastapi_swagger") / "resources"


def serve_docs(app: FastAPI) -> None:
    """Add `/docs` and its assets to `app` (created with `docs_url=None, redoc_url=None`)."""
    app.mount(ASSETS, StaticFiles(directory=str(SWAGGER_UI)), name="docs")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} API",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
        )
