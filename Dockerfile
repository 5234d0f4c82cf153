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
WORKDIR /app
COPY --from=build /app /app
ENV PATH="/app:${PATH}"
ENTRYPOINT ["mailrecovery"]
CMD ["watch", "--config", "/etc/mailrecovery/config.json"]
