"""Helpers for tests that run on both storages, the local disk and S3 (the local moto
server): a module overrides `settings` with `on_storage(settings, storage_bucket)`."""

from pydantic import SecretStr

from reflector.config.settings import Settings
from tests.servers import s3_client


def on_storage(settings: Settings, bucket: str | None) -> Settings:
    """`settings` storing into `bucket` at the local S3 server, or on disk for None."""
    if bucket is None:
        return settings
    endpoint, _, name = bucket.rpartition("/")
    return settings.model_copy(
        update={
            "STORAGE_BACKEND": "s3",
            "S3_BUCKET": name,
            "S3_ENDPOINT_URL": endpoint,
            "S3_ACCESS_KEY_ID": SecretStr("t"),
            "S3_SECRET_ACCESS_KEY": SecretStr("t"),
        }
    )


def files_in_storage(settings: Settings) -> list[str]:
    """What is in the storage now; on disk, empty directories too: a deleted recording
    leaves no empty directory behind."""
    if settings.STORAGE_BACKEND == "local":
        root = settings.storage_local_dir
        return sorted(
            str(path.relative_to(root))
            for path in root.rglob("*")
            if ".spool" not in path.parts
            and path.name != "recordings"
            and (path.is_file() or not any(path.iterdir()))
        )
    listed = s3_client(settings.S3_ENDPOINT_URL).list_objects_v2(Bucket=settings.S3_BUCKET)
    return sorted(item["Key"] for item in listed.get("Contents", []))
