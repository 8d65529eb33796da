"""Storing an upload's files so that a failing storage (a full disk) leaves nothing behind.

`store_file()` chooses the file's name before writing it, so when the storage fails
part-way the fragment can be deleted (Django's FileSystemStorage leaves it there); it raises
`UploadNotStored`, whose message tells the person who uploaded what happened.
`files_removed_on_error()` deletes every file stored inside a block that raises: the rows
pointing at them roll back with the block's transaction (wmasn/uploads.py's UploadAdmin).
"""

import contextvars
import errno
import logging
from contextlib import contextmanager

logger = logging.getLogger(__name__)


class UploadNotStored(Exception):
    """The storage failed while writing an upload; nothing of it was kept."""

    def __init__(self, name, error):
        self.name = name
        self.error = error
        super().__init__(self.message)

    @property
    def disk_full(self):
        return getattr(self.error, "errno", None) in (errno.ENOSPC, errno.EDQUOT)

    @property
    def message(self):
        if self.disk_full:
            return (
                f"The server's disk is full, so “{self.name}” could not be saved; nothing "
                "was changed. Please try again later."
            )
        return (
            f"The server could not store “{self.name}”; nothing was changed. "
            "Please try again later."
        )


# The files stored inside a `files_removed_on_error()` block, as (storage, name).
_stored_in_block = contextvars.ContextVar("stored_in_block", default=None)


@contextmanager
def files_removed_on_error():
    """Delete again every file stored inside this block if the block raises.

    The rows that pointed at them roll back with the block's transaction; without this,
    a form that stored one file and then failed on the next would leave the first behind.
    """
    stored = []
    token = _stored_in_block.set(stored)
    try:
        yield
    except BaseException:
        for storage, name in stored:
            storage.delete(name)
        raise
    finally:
        _stored_in_block.reset(token)


def store_file(instance, field_name, content, original_name):
    """Save `content` as the file of `instance.<field_name>`; on a storage error delete the
    half-written file and raise UploadNotStored.

    FieldFile.save() would pick the name inside the storage call, and a FileSystemStorage
    that fails mid-write leaves the fragment there under that name; choosing the name first
    is what lets us delete it.
    """
    field = instance._meta.get_field(field_name)
    storage = field.storage
    name = field.generate_filename(instance, content.name)
    name = storage.get_available_name(name, max_length=field.max_length)
    try:
        name = storage.save(name, content, max_length=field.max_length)
    except OSError as error:
        logger.exception("Could not store upload %s as %s", original_name, name)
        try:
            storage.delete(name)
        except OSError:
            logger.exception("Could not delete the fragment %s", name)
        raise UploadNotStored(original_name, error) from error
    setattr(instance, field.attname, name)
    stored = _stored_in_block.get()
    if stored is not None:
        stored.append((storage, name))
    return name
