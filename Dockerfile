# MailRecovery CLI image: a native (Native AOT) executable on the runtime-deps base (glibc, OpenSSL; no .NET
# runtime needed). The CLI's AssemblyName is "mailrecovery", so the executable is /app/mailrecovery.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG TARGETARCH
# Native AOT links with the platform's C toolchain.
RUN apt-get update \
 && apt-get install -y --no-install-recommends clang zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/ src/
# drop build output that may have come along from a developer's tree
RUN find src -type d \( -name bin -o -name obj \) -prune -exec rm -rf {} + \
 && case "${TARGETARCH:-amd64}" in arm64) rid=linux-arm64 ;; *) rid=linux-x64 ;; esac \
 && dotnet publish src/MailRecovery.Cli/MailRecovery.Cli.csproj -c Release -r "$rid" -p:PublishAot=true -o /app \
 && rm -f /app/*.dbg /app/*.pdb

FROM mcr.microsoft.com/dotnet/runtime-deps:10.0
# tzdata: `status` shows messages per day in the local time zone (TZ=Europe/Berlin etc.); without the zone files
# every zone falls back to UTC.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends tzdata \
 && rm -rf /var/lib/apt/lists/*
# Not root: a dedicated user with a fixed id, so that a mounted password file can be given to it on the host
# (`chown 10001 safety.password`; password files must be the reading user's own and mode 0600).
RUN groupadd --system --gid 10001 mailrecovery \
 && useradd --system --uid 10001 --gid mailrecovery --home-dir /var/lib/mailrecovery --shell /usr/sbin/nologin mailrecovery \
 && install -d -m 0700 -o mailrecovery -g mailrecovery /var/lib/mailrecovery
WORKDIR /app
COPY --from=build /app /app
ENV PATH="/app:${PATH}"
USER mailrecovery:mailrecovery
# The archive; a new named volume takes this directory's owner (mailrecovery) and mode.
VOLUME /var/lib/mailrecovery
# Healthy while `status` finds nothing that needs attention (exit 0); exit 1 (a warning: nothing archived for a
# long time, the last alias check failed, ...) makes the container unhealthy. Reads the index beside the
# running watch; changes nothing.
HEALTHCHECK --interval=5m --timeout=30s --start-period=2m --retries=2 \
    CMD ["mailrecovery", "status", "--config", "/etc/mailrecovery/config.json"]
ENTRYPOINT ["mailrecovery"]
CMD ["watch", "--config", "/etc/mailrecovery/config.json"]
