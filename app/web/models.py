from django.db import models


class Note(models.Model):
    """A line a visitor leaves on the notes page, with the instance that stored it."""

    text = models.CharField(max_length=200)
    instance_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text
