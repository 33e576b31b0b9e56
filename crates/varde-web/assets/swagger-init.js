// Starts the vendored Swagger UI on Varde's OpenAPI document.
SwaggerUIBundle({ url: "/api/openapi.json", dom_id: "#ui" });
