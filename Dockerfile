# openrouter-multimodal-mcp: the HTTP service by default (`serve`), stdio with `docker run -i IMAGE openrouter-multimodal-mcp`.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY domain ./domain
COPY application ./application
COPY adapters ./adapters
COPY entrypoints ./entrypoints
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    OPENROUTER_OUTPUT_DIR=/data/outputs OPENROUTER_STATE_URL=/data/state.sqlite3
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels \
    && useradd --create-home --uid 10001 mcp && mkdir -p /data && chown mcp /data
USER mcp
WORKDIR /home/mcp
VOLUME ["/data"]
EXPOSE 8765
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD python -c "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8765/healthz', timeout=4).status == 200 else 1)"
CMD ["openrouter-multimodal-mcp", "serve", "--host", "0.0.0.0", "--port", "8765"]
