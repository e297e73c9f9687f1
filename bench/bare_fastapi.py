"""A second baseline: the same framework stack as the service, with a no-op webhook route."""

from fastapi import FastAPI, Request

app = FastAPI()


@app.post("/v1/mock/webhook")
async def webhook(request: Request) -> dict[str, str]:
    await request.body()
    return {"status": "processed"}


@app.post("/v1/jitsi/events/{subject}/{change}")
async def prosody_event(subject: str, change: str, request: Request) -> dict[str, str]:
    await request.body()
    return {"status": "processed"}


@app.post("/v1/daily/webhook")
async def daily_webhook(request: Request) -> dict[str, str]:
    await request.body()
    return {"status": "processed"}


@app.post("/v1/whereby")
async def whereby_webhook(request: Request) -> dict[str, str]:
    await request.body()
    return {"status": "processed"}
