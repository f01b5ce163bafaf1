# The image of docker-compose.yml's migrate, web, worker and beat services.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY . /app
# Installed in place (-e): core finds migrations/ and tenants/ beside itself at the repository
# root, which a plain `pip install .` into site-packages would leave behind.
RUN pip install -e . \
 && useradd --system --uid 10001 --home-dir /var/lib/tongxin tongxin \
 && mkdir -p /var/lib/tongxin/files /var/lib/tongxin/beat \
 && chown -R tongxin /var/lib/tongxin

# A named volume first mounted on these directories takes their owner (tongxin).
USER tongxin
ENV TONGXIN_STORAGE_DIR=/var/lib/tongxin/files
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "2", "core.wsgi:app"]
