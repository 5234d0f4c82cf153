namespace MailRecovery.Core.Probe;

public enum ProbeVerdict
{
    /// <summary>The probe reached the copy (and the primary, when watched) through the alias.</summary>
    Works,

    /// <summary>The alias does not deliver as it must; the findings say what is wrong.</summary>
    Broken,

    /// <summary>Something prevented the check (server unreachable, login refused).</summary>
    CouldNotTell,
}
